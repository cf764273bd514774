import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import type { ProposeInput } from "../../bindings";
import { installBackend, type Backend } from "../../test/backend";
import { DEMO_PASSWORD, USERS, detail, rows, simUser } from "../../test/fixtures";
import { renderApp } from "../../test/render";

const MIN = 60_000;

const input = (handoffId: string, params: Record<string, unknown>, over: Partial<ProposeInput> = {}): ProposeInput => ({
  handoff_id: handoffId,
  tool: "billing.refund",
  params: { order_id: "A123", currency: "USD", ...params },
  origin: "agent",
  fraud_suspected: false,
  ...over,
});

/** Pending requests from Ana and Omar (not a demo account), and one of Sam's own. */
function seed(b: Backend) {
  // Omar is a user of the desk, not a demo account
  const omar = { user_id: 5, username: "omar", display_name: "Omar Okafor", mayApprove: false, steppedUp: false };
  const d1 = detail("hf_0001");
  d1.escalated_ms = Date.now() - 40 * MIN;
  d1.handoff.escalated_at = new Date(d1.escalated_ms).toISOString();
  d1.handoff.customer = { ...d1.handoff.customer, name: "Grace H." };
  b.details.set("hf_0001", d1);
  const g = b.gates;
  const now = Date.now();
  return {
    small: g.at(now - 2 * MIN, () => g.propose(simUser("ana"), input("hf_0000", { amount: "60.00" })).id),
    old: g.at(now - 8 * MIN, () => g.propose(omar, input("hf_0001", { amount: "120.50", currency: "GBP" }, { fraud_suspected: true })).id),
    own: g.at(now - 1 * MIN, () => g.propose(simUser("sam"), input("hf_0002", { amount: "75.00" })).id),
    large: g.at(now - 3 * MIN, () => g.propose(simUser("ana"), input("hf_0000", { amount: "740.00", order_id: "A999" })).id),
  };
}

async function openInbox(setup?: (b: Backend) => void) {
  const b = installBackend(rows(3), { user: "sam" });
  setup?.(b);
  const r = renderApp({ view: "approvals" });
  await screen.findByTestId("approvals-view");
  return { b, ...r };
}

const item = (id: string) => screen.getAllByTestId("approval-item").find((i) => i.dataset.callId === id)!;

describe("approvals inbox", () => {
  test("lists the requests in Rust's order with amount, rule and why, flags, requester, waits and the exact parameters", async () => {
    let ids!: ReturnType<typeof seed>;
    const { b } = await openInbox((bb) => {
      ids = seed(bb);
      // whatever order Rust gives is the order shown
      bb.handle.pending_approvals = () => {
        const all = bb.gates.pending();
        const by = (id: string) => all.find((p) => p.call.id === id)!;
        return [by(ids.small), by(ids.old), by(ids.large), by(ids.own)];
      };
    });
    await waitFor(() => expect(screen.getAllByTestId("approval-item")).toHaveLength(4));
    expect(screen.getAllByTestId("approval-item").map((i) => i.dataset.callId)).toEqual([ids.small, ids.old, ids.large, ids.own]);
    expect(screen.getAllByTestId("approval-item").map((i) => i.dataset.requestedBy)).toEqual(["ana", "omar", "ana", "sam"]);
    expect(item(ids.old).dataset.requestedById).toBe("5");

    const old = item(ids.old);
    expect(old.textContent).toContain("120.50 GBP");
    expect(old.textContent).toContain("Refund");
    const rule = within(old).getByTestId("approval-rule");
    expect(rule.textContent).toContain("fraud");
    expect(rule.textContent).toContain("Fraud is suspected on this conversation: a supervisor must approve any action.");
    expect(rule.textContent).toContain("flag fraud_suspected");
    expect(within(old).getAllByTestId("approval-flag").map((f) => f.dataset.flag)).toEqual(["fraud_suspected"]);
    expect(old.textContent).toContain("Omar Okafor");
    expect(old.textContent).toContain("Grace H.");
    expect(old.textContent).toContain("refund_request");
    expect(old.textContent).toContain("Wants a refund for order A123");
    // waited 8 min (over Rust's 5): overdue in words as well as colour; the customer 40 min
    const wait = within(old).getByTestId("approval-request-wait");
    expect(wait.dataset.overdue).toBe("true");
    expect(wait.textContent).toContain("8 min");
    expect(wait.textContent).toContain("overdue");
    expect(old.textContent).toContain("Customer waiting 40 min");
    expect(within(item(ids.small)).getByTestId("approval-request-wait").textContent).not.toContain("overdue");
    expect(within(old).getByTestId("approval-params").textContent).toBe(
      'POST http://127.0.0.1:47291/v1/refunds\n{\n  "amount": "120.50",\n  "currency": "GBP",\n  "order_id": "A123"\n}',
    );
    // the amount rule, with its conditions
    expect(within(item(ids.small)).getByTestId("approval-rule").textContent).toContain("amount is over 50.00");
    expect(item(ids.large).textContent).toContain("asks your password");
    expect(item(ids.own).textContent).toContain("(you)");
    expect(b.argsOf("pending_approvals").length).toBeGreaterThan(0);
    // the count in the top bar
    expect(screen.getByTestId("nav-approvals").dataset.count).toBe("4");
  });

  test("Approve sends the hash of the parameters shown; the request leaves the inbox", async () => {
    let ids!: ReturnType<typeof seed>;
    const { b, user } = await openInbox((bb) => (ids = seed(bb)));
    await waitFor(() => expect(screen.getAllByTestId("approval-item")).toHaveLength(4));
    const shown = b.gates.call(ids.small).params_sha256;
    await user.click(within(item(ids.small)).getByTestId("approve-button"));
    await waitFor(() => expect(b.argsOf("approve_tool_call")).toEqual([{ callId: ids.small, paramsSha256: shown }]));
    await waitFor(() => expect(screen.getAllByTestId("approval-item")).toHaveLength(3));
    expect(screen.getByTestId("approval-decided").textContent).toContain("Approved Refund of 60.00 USD");
    expect(b.gates.call(ids.small).state).toBe("approved");
  });

  test("parameters that changed since they were shown: Rust's refusal on that item", async () => {
    let ids!: ReturnType<typeof seed>;
    const { b, user } = await openInbox((bb) => (ids = seed(bb)));
    await waitFor(() => expect(screen.getAllByTestId("approval-item")).toHaveLength(4));
    // the inbox shows a hash that no longer matches what is stored
    b.gates.calls.find((c) => c.id === ids.small)!.params_sha256 = "0".repeat(64);
    await user.click(within(item(ids.small)).getByTestId("approve-button"));
    expect((await within(item(ids.small)).findByTestId("approval-error")).textContent).toContain("The parameters changed since they were approved");
  });

  test("Deny needs a reason: the button is disabled until one is written, then sends it", async () => {
    let ids!: ReturnType<typeof seed>;
    const { b, user } = await openInbox((bb) => (ids = seed(bb)));
    await waitFor(() => expect(screen.getAllByTestId("approval-item")).toHaveLength(4));
    const it = item(ids.old);
    const deny = within(it).getByTestId("deny-button") as HTMLButtonElement;
    expect(deny.disabled).toBe(true);
    await user.type(within(it).getByTestId("deny-reason"), "   ");
    expect(deny.disabled).toBe(true);
    await user.clear(within(it).getByTestId("deny-reason"));
    await user.type(within(it).getByTestId("deny-reason"), " Customer already got a voucher. ");
    expect(deny.disabled).toBe(false);
    await user.click(deny);
    await waitFor(() => expect(b.argsOf("deny_tool_call")).toEqual([{ callId: ids.old, reason: "Customer already got a voucher." }]));
    await waitFor(() => expect(screen.getAllByTestId("approval-item")).toHaveLength(3));
    expect(b.gates.call(ids.old).decision_reason).toBe("Customer already got a voucher.");
  });

  test("four eyes: approving your own request shows Rust's refusal on that item only", async () => {
    let ids!: ReturnType<typeof seed>;
    const { b, user } = await openInbox((bb) => (ids = seed(bb)));
    await waitFor(() => expect(screen.getAllByTestId("approval-item")).toHaveLength(4));
    await user.click(within(item(ids.own)).getByTestId("approve-button"));
    const err = await within(item(ids.own)).findByTestId("approval-error");
    expect(err.textContent).toContain("The person who requested this call cannot approve or deny it (four eyes).");
    expect(screen.getAllByTestId("approval-error")).toHaveLength(1);
    expect(b.gates.call(ids.own).state).toBe("pending");
    // and denying it too
    await user.type(within(item(ids.own)).getByTestId("deny-reason"), "no");
    await user.click(within(item(ids.own)).getByTestId("deny-button"));
    await waitFor(() => expect(b.argsOf("deny_tool_call")).toHaveLength(1));
    expect(within(item(ids.own)).getByTestId("approval-error").textContent).toContain("(four eyes)");
  });

  test("a large amount asks for the password first (needs_step_up), then approves once", async () => {
    let ids!: ReturnType<typeof seed>;
    const { b, user } = await openInbox((bb) => (ids = seed(bb)));
    await waitFor(() => expect(screen.getAllByTestId("approval-item")).toHaveLength(4));
    await user.click(within(item(ids.large)).getByTestId("approve-button"));
    const dialog = await screen.findByTestId("stepup-dialog");
    expect(dialog.textContent).toContain("Approving Refund of 740.00 USD needs your password again.");
    expect(b.argsOf("approve_tool_call")).toHaveLength(0);
    await user.type(screen.getByTestId("stepup-password"), `${DEMO_PASSWORD}{Enter}`);
    await waitFor(() => expect(b.argsOf("approve_tool_call")).toEqual([{ callId: ids.large, paramsSha256: b.gates.call(ids.large).params_sha256 }]));
    await waitFor(() => expect(b.gates.call(ids.large).state).toBe("approved"));
  });

  test("step_up_required from Rust: the password prompt, then the same approval again", async () => {
    let ids!: ReturnType<typeof seed>;
    const { b, user } = await openInbox((bb) => (ids = seed(bb)));
    await waitFor(() => expect(screen.getAllByTestId("approval-item")).toHaveLength(4));
    b.failOnce.approve_tool_call = { kind: "step_up_required", message: "Confirm your password to do this." };
    await user.click(within(item(ids.old)).getByTestId("approve-button"));
    await user.type(await screen.findByTestId("stepup-password"), `${DEMO_PASSWORD}{Enter}`);
    await waitFor(() => expect(b.argsOf("approve_tool_call")).toHaveLength(2));
    const sha = b.gates.call(ids.old).params_sha256;
    expect(b.argsOf("approve_tool_call")).toEqual([
      { callId: ids.old, paramsSha256: sha },
      { callId: ids.old, paramsSha256: sha },
    ]);
    expect(b.argsOf("step_up")).toEqual([{ password: DEMO_PASSWORD }]);
    await waitFor(() => expect(b.gates.call(ids.old).state).toBe("approved"));
    expect(screen.queryByTestId("approval-error")).toBeNull();
  });

  test("History: decided and expired requests with who, when, reason and outcome; Open the conversation", async () => {
    const { b, user } = await openInbox((bb) => {
      const ids = seed(bb);
      const sam = simUser("sam", true);
      bb.gates.approve(sam, ids.small, bb.gates.call(ids.small).params_sha256);
      bb.gates.execute(ids.small, "user:2:sam", { succeeded: false, status: 503, detail: "backend unavailable", retryable: true });
      bb.gates.deny(sam, ids.old, "Already refunded.");
    });
    await user.click(screen.getByTestId("approvals-tab-history"));
    await waitFor(() => expect(screen.getAllByTestId("approval-history-row")).toHaveLength(2));
    const rowsShown = screen.getAllByTestId("approval-history-row");
    const denied = rowsShown.find((r) => r.dataset.state === "denied")!;
    expect(denied.textContent).toContain("Sam Supervisor");
    expect(denied.textContent).toContain("“Already refunded.”");
    expect(denied.textContent).toContain("Omar Okafor");
    const failed = rowsShown.find((r) => r.dataset.state === "failed")!;
    expect(failed.textContent).toContain("HTTP 503 · backend unavailable");
    expect(failed.textContent).toContain("60.00 USD");
    expect(b.argsOf("approval_history")).toHaveLength(1);

    await user.click(within(denied).getByRole("button", { name: "Refund" }));
    await waitFor(() => expect(screen.getByTestId("intent-name")).toBeTruthy());
    expect(b.argsOf("get_handoff").at(-1)).toEqual({ handoffId: "hf_0001" });
  });

  test("j and k move between the requests", async () => {
    let ids!: ReturnType<typeof seed>;
    const { user } = await openInbox((bb) => (ids = seed(bb)));
    await waitFor(() => expect(screen.getAllByTestId("approval-item")).toHaveLength(4));
    const order = screen.getAllByTestId("approval-item").map((i) => i.dataset.callId);
    await user.keyboard("j");
    expect(document.activeElement).toBe(item(order[0]!));
    await user.keyboard("jj");
    expect(document.activeElement).toBe(item(order[2]!));
    await user.keyboard("k");
    expect(document.activeElement).toBe(item(order[1]!));
    // typing a reason is not moving
    await user.click(within(item(order[1]!)).getByTestId("deny-reason"));
    await user.keyboard("jk");
    expect((within(item(order[1]!)).getByTestId("deny-reason") as HTMLTextAreaElement).value).toBe("jk");
    expect(ids.small).toBeTruthy();
  });

  test("g p opens the inbox for a supervisor; nothing pending is said so", async () => {
    installBackend(rows(2), { user: "sam" });
    const { user } = renderApp();
    await screen.findAllByTestId("queue-row");
    await user.keyboard("gp");
    expect((await screen.findByTestId("approvals-empty")).textContent).toContain("Nothing waiting for approval");
  });

  test("an agent has no inbox: g p does nothing", async () => {
    const b = installBackend(rows(2), { user: "ana" });
    const { user } = renderApp();
    await screen.findAllByTestId("queue-row");
    await user.keyboard("gp");
    expect(screen.queryByTestId("approvals-view")).toBeNull();
    expect(b.argsOf("pending_approvals")).toHaveLength(0);
    expect(USERS.ana!.roles).toEqual(["agent"]);
  });
});
