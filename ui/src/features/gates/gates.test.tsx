import { emit } from "@tauri-apps/api/event";
import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import type { ProposeInput } from "../../bindings";
import { installBackend, type Backend } from "../../test/backend";
import { detail, rows, simUser } from "../../test/fixtures";
import { renderApp } from "../../test/render";

const MIN = 60_000;

async function openConversation(user: "ana" | "sam" | "lee" = "ana", setup?: (b: Backend) => void) {
  const b = installBackend(rows(3), { user });
  setup?.(b);
  const r = renderApp({ openId: "hf_0000" });
  await screen.findByTestId("intent-name");
  return { b, ...r };
}

const callItem = (id: string) => screen.getAllByTestId("tool-call").find((c) => c.dataset.callId === id)!;
const refund = (over: Partial<ProposeInput> = {}): ProposeInput => ({
  handoff_id: "hf_0000",
  tool: "billing.refund",
  params: { order_id: "A123", amount: "59.00", currency: "USD" },
  origin: "agent",
  fraud_suspected: false,
  ...over,
});

describe("propose an action", () => {
  test("the form follows the tool's schema, prefills from the collected fields and sends the exact ProposeInput", async () => {
    const { b, user } = await openConversation();
    await user.click(screen.getByTestId("propose-action"));
    const form = screen.getByTestId("propose-form");
    const tool = within(form).getByTestId("propose-tool") as HTMLSelectElement;
    // a real select whose values are the tool names, titles shown
    await waitFor(() => expect(Array.from(tool.options).map((o) => o.value)).toContain("billing.refund"));
    expect(Array.from(tool.options).find((o) => o.value === "billing.refund")!.textContent).toBe("Refund — billing.refund");
    await user.selectOptions(tool, "billing.refund");

    const orderId = screen.getByTestId("param-order_id") as HTMLInputElement;
    const amount = screen.getByTestId("param-amount") as HTMLInputElement;
    const currency = screen.getByTestId("param-currency") as HTMLSelectElement;
    const reason = screen.getByTestId("param-reason") as HTMLInputElement;
    expect(currency.tagName).toBe("SELECT");
    expect(Array.from(currency.options).map((o) => o.value)).toEqual(["", "USD", "EUR", "GBP"]);
    // prefilled from collected_fields (order_id, amount, currency); reason is optional and empty
    expect(orderId.value).toBe("A123");
    expect(amount.value).toBe("59.00");
    expect(currency.value).toBe("USD");
    expect(reason.value).toBe("");
    expect(orderId.getAttribute("aria-required")).toBe("true");
    expect(reason.getAttribute("aria-required")).toBeNull();
    expect(form.textContent).toContain("prefilled · stated"); // amount's provenance

    await user.clear(amount);
    await user.type(amount, "80.00");
    await user.selectOptions(currency, "EUR");
    await user.type(reason, "  arrived damaged ");
    await user.click(screen.getByTestId("propose-fraud"));
    await user.click(screen.getByTestId("propose-submit"));

    await waitFor(() => expect(b.argsOf("propose_tool_call")).toHaveLength(1));
    expect(b.argsOf("propose_tool_call")[0]).toEqual({
      input: refund({ params: { order_id: "A123", amount: "80.00", currency: "EUR", reason: "arrived damaged" }, fraud_suspected: true }),
    });
    // the form closes; the new call is in the ledger, waiting, with Rust's reason
    await waitFor(() => expect(screen.queryByTestId("propose-form")).toBeNull());
    const call = await screen.findByTestId("tool-call");
    expect(call.dataset.state).toBe("pending");
    expect(call.textContent).toContain("Waiting for a supervisor: Fraud is suspected on this conversation: a supervisor must approve any action.");
    expect(call.textContent).toContain("80.00 EUR");
    expect(call.textContent).toContain("Fraud suspected");
  });

  test("booleans are checkboxes, empty optional text is left out, and p opens the form", async () => {
    const { b, user } = await openConversation();
    await user.keyboard("p");
    const tool = await screen.findByTestId("propose-tool");
    await waitFor(() => expect(document.activeElement).toBe(tool));
    await user.selectOptions(tool, "subscriptions.cancel");
    const atEnd = screen.getByTestId("param-at_period_end") as HTMLInputElement;
    expect(atEnd.type).toBe("checkbox");
    expect(atEnd.checked).toBe(false);
    await user.type(screen.getByTestId("param-subscription_id"), "sub_9");
    await user.click(atEnd);
    await user.click(screen.getByTestId("propose-submit"));
    await waitFor(() => expect(b.argsOf("propose_tool_call")).toHaveLength(1));
    expect(b.argsOf("propose_tool_call")[0]!.input).toEqual({
      handoff_id: "hf_0000",
      tool: "subscriptions.cancel",
      params: { subscription_id: "sub_9", at_period_end: true },
      origin: "agent",
      fraud_suspected: false,
    });

    // customer_id comes from the escalation's customer; an optional reason left empty is not sent
    await user.click(await screen.findByTestId("propose-action"));
    await user.selectOptions(screen.getByTestId("propose-tool"), "orders.cancel");
    await user.click(screen.getByTestId("propose-submit"));
    await waitFor(() => expect(b.argsOf("propose_tool_call")).toHaveLength(2));
    expect((b.argsOf("propose_tool_call")[1]!.input as ProposeInput).params).toEqual({ order_id: "A123" });
  });

  test("Rust's invalid-params message shows inline, each named field is marked, and nothing is added", async () => {
    const { b, user } = await openConversation();
    await user.click(screen.getByTestId("propose-action"));
    await user.selectOptions(await screen.findByTestId("propose-tool"), "billing.refund");
    const amount = screen.getByTestId("param-amount");
    await user.clear(amount);
    await user.type(amount, "12,50");
    await user.selectOptions(screen.getByTestId("param-currency"), "");
    await user.click(screen.getByTestId("propose-submit"));
    const err = await screen.findByTestId("propose-error");
    expect(err.dataset.kind).toBe("invalid_input");
    expect(err.textContent).toContain('$.params.amount "12,50" is not an amount like 59.00');
    expect(err.textContent).toContain("$.params.currency is required");
    expect(amount.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByTestId("param-currency").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByTestId("param-order_id").getAttribute("aria-invalid")).toBeNull();
    expect(b.argsOf("propose_tool_call")[0]!.input).toMatchObject({ params: { order_id: "A123", amount: "12,50" } });
    expect(screen.getByTestId("propose-form")).toBeTruthy();
    expect(screen.queryByTestId("tool-call")).toBeNull();
  });

  test("a small refund needs the agent's confirmation: Confirm sends confirm_tool_call", async () => {
    const { b, user } = await openConversation();
    await user.click(screen.getByTestId("propose-action"));
    await user.selectOptions(await screen.findByTestId("propose-tool"), "billing.refund");
    const amount = screen.getByTestId("param-amount");
    await user.clear(amount);
    await user.type(amount, "20.00");
    await user.click(screen.getByTestId("propose-submit"));
    const call = await screen.findByTestId("tool-call");
    expect(call.dataset.state).toBe("proposed");
    expect(call.textContent).toContain("Refunds up to 50.00: the agent confirms.");
    const confirm = within(call).getByTestId("tool-call-confirm");
    await waitFor(() => expect(document.activeElement).toBe(confirm));
    await user.click(confirm);
    await waitFor(() => expect(b.argsOf("confirm_tool_call")).toEqual([{ callId: call.dataset.callId }]));
    await waitFor(() => expect(screen.getByTestId("tool-call").dataset.state).toBe("approved"));
    expect(screen.queryByTestId("tool-call-confirm")).toBeNull();
    expect(screen.getByTestId("tool-call").textContent).toContain("Confirmed");
  });

  test("an order lookup is allowed by the policy and runs at once", async () => {
    const { user } = await openConversation();
    await user.click(screen.getByTestId("propose-action"));
    await user.selectOptions(await screen.findByTestId("propose-tool"), "orders.lookup");
    await user.click(screen.getByTestId("propose-submit"));
    const call = await screen.findByTestId("tool-call");
    expect(call.dataset.state).toBe("approved");
    expect(call.textContent).toContain("Allowed by the policy: Reading an order changes nothing. Running now.");
  });
});

describe("tool calls in the ledger", () => {
  function seed(b: Backend) {
    const ana = simUser("ana");
    const sam = simUser("sam", true);
    const g = b.gates;
    const now = Date.now();
    const ids = {
      lookup: g.at(now - 30 * MIN, () => g.propose(ana, refund({ tool: "orders.lookup", params: { order_id: "A123" } })).id),
      oldPending: g.at(now - 7 * MIN, () => g.propose(ana, refund()).id),
      newPending: g.at(now - 2 * MIN, () => g.propose(ana, refund({ params: { order_id: "A124", amount: "70.00", currency: "USD" } })).id),
      retryable: g.at(now - 20 * MIN, () => g.propose(ana, refund({ tool: "accounts.change_address", params: { customer_id: "cus_42", address: "9 Mill Lane" } })).id),
      refused: g.at(now - 19 * MIN, () => g.propose(ana, refund({ params: { order_id: "A125", amount: "30.00", currency: "USD" } })).id),
      denied: g.at(now - 15 * MIN, () => g.propose(ana, refund({ params: { order_id: "A126", amount: "90.00", currency: "USD" } })).id),
    };
    g.at(now - 30 * MIN, () => g.execute(ids.lookup, "user:1:ana"));
    g.at(now - 20 * MIN, () => g.confirm(ana, ids.retryable));
    g.at(now - 20 * MIN, () =>
      g.execute(ids.retryable, "user:1:ana", { succeeded: false, status: 503, detail: "503 Service Unavailable after 3 requests", retryable: true }),
    );
    g.at(now - 19 * MIN, () => g.confirm(ana, ids.refused));
    g.at(now - 19 * MIN, () =>
      g.execute(ids.refused, "user:1:ana", { succeeded: false, status: 400, detail: '{"error":"amount_exceeds_refundable_balance"}', retryable: false }),
    );
    g.at(now - 12 * MIN, () => g.deny(sam, ids.denied, "Already refunded last week."));
    return ids;
  }

  test("each call: state icon and word, reason, who and when, HTTP status, outcome, attempts; request as sent", async () => {
    let ids!: ReturnType<typeof seed>;
    const { user } = await openConversation("ana", (b) => (ids = seed(b)));
    await waitFor(() => expect(screen.getAllByTestId("tool-call")).toHaveLength(6));
    // oldest first
    expect(screen.getAllByTestId("tool-call").map((c) => c.dataset.callId)).toEqual([
      ids.lookup,
      ids.retryable,
      ids.refused,
      ids.denied,
      ids.oldPending,
      ids.newPending,
    ]);
    const lookup = callItem(ids.lookup);
    expect(lookup.dataset.state).toBe("succeeded");
    expect(within(lookup).getByTestId("tool-call-state").textContent).toBe("succeeded");
    expect(lookup.querySelector("svg")).not.toBeNull();
    expect(lookup.textContent).toContain("HTTP 200");
    expect(within(lookup).getByTestId("tool-call-outcome").textContent).toContain('"status":"delivered"');
    expect(lookup.textContent).toContain("1 attempt");
    expect(lookup.textContent).toContain("Ana Agent");

    const pending = callItem(ids.oldPending);
    expect(pending.dataset.state).toBe("pending");
    expect(pending.textContent).toContain("Waiting for a supervisor: Refunds above 50.00 need a supervisor.");
    expect(pending.textContent).toContain("59.00 USD");
    // relative time, exact on hover
    const when = within(pending).getAllByText("7 min ago")[0]!;
    expect(when.getAttribute("title")).toMatch(/\d{1,2}:\d{2}/);

    const denied = callItem(ids.denied);
    expect(denied.dataset.state).toBe("denied");
    expect(denied.textContent).toContain("Denied by Sam Supervisor: Already refunded last week.");

    const failed = callItem(ids.retryable);
    expect(failed.textContent).toContain("HTTP 503");
    expect(failed.textContent).toContain("503 Service Unavailable after 3 requests");
    expect(failed.textContent).toContain("Confirmed");

    // the request exactly as sent: method and URL, then the parameters as JSON text
    await user.click(within(pending).getByTestId("tool-call-params-toggle"));
    expect(within(pending).getByTestId("tool-call-params").textContent).toBe(
      'POST http://127.0.0.1:47291/v1/refunds\n{\n  "amount": "59.00",\n  "currency": "USD",\n  "order_id": "A123"\n}',
    );
  });

  test("Retry only on a retryable failure, Escalate only on a request waiting over 5 minutes", async () => {
    let ids!: ReturnType<typeof seed>;
    const { b, user } = await openConversation("ana", (bb) => (ids = seed(bb)));
    await waitFor(() => expect(screen.getAllByTestId("tool-call")).toHaveLength(6));
    expect(screen.getAllByTestId("tool-call-retry")).toHaveLength(1);
    expect(within(callItem(ids.retryable)).getByTestId("tool-call-retry")).toBeTruthy();
    expect(within(callItem(ids.refused)).queryByTestId("tool-call-retry")).toBeNull();
    expect(screen.getAllByTestId("tool-call-escalate")).toHaveLength(1);
    expect(within(callItem(ids.oldPending)).getByTestId("tool-call-escalate")).toBeTruthy();
    expect(within(callItem(ids.newPending)).queryByTestId("tool-call-escalate")).toBeNull();
    expect(screen.queryByTestId("tool-call-confirm")).toBeNull();

    await user.click(within(callItem(ids.retryable)).getByTestId("tool-call-retry"));
    await waitFor(() => expect(b.argsOf("retry_tool_call")).toEqual([{ callId: ids.retryable }]));
    await waitFor(() => expect(callItem(ids.retryable).dataset.state).toBe("succeeded"));
    expect(callItem(ids.retryable).textContent).toContain("2 attempts");
    expect(screen.queryByTestId("tool-call-retry")).toBeNull();

    // Rust decides: its refusal shows on the item
    b.failOnce.escalate_tool_call = { kind: "invalid_input", message: "It can be escalated once it has waited 5 minutes." };
    await user.click(within(callItem(ids.oldPending)).getByTestId("tool-call-escalate"));
    expect((await within(callItem(ids.oldPending)).findByTestId("tool-call-error")).textContent).toContain("It can be escalated once it has waited 5 minutes.");
    await user.click(within(callItem(ids.oldPending)).getByTestId("tool-call-escalate"));
    await waitFor(() => expect(callItem(ids.oldPending).textContent).toContain("to every supervisor"));
    expect(within(callItem(ids.oldPending)).queryByTestId("tool-call-escalate")).toBeNull();
  });

  test("a team lead sees the calls but cannot propose, confirm or retry", async () => {
    let ids!: ReturnType<typeof seed>;
    await openConversation("lee", (b) => (ids = seed(b)));
    await waitFor(() => expect(screen.getAllByTestId("tool-call")).toHaveLength(6));
    expect(callItem(ids.retryable).dataset.state).toBe("failed");
    expect(screen.queryByTestId("propose-action")).toBeNull();
    expect(screen.queryByTestId("tool-call-retry")).toBeNull();
    expect(screen.queryByTestId("tool-call-escalate")).toBeNull();
  });

  test("gates-changed refreshes the ledger, and a denial of the open conversation's call shows with its reason", async () => {
    let id = "";
    const { b } = await openConversation("ana", (bb) => {
      id = bb.gates.propose(simUser("ana"), refund()).id;
    });
    await waitFor(() => expect(callItem(id).dataset.state).toBe("pending"));
    b.gates.deny(simUser("sam", true), id, "The order was refunded by the carrier.");
    await emit("gates-changed", { call_id: id, handoff_id: "hf_0000", state: "denied" });
    await waitFor(() => expect(callItem(id).dataset.state).toBe("denied"));
    const notice = await screen.findByTestId("call-notice");
    expect(notice.dataset.state).toBe("denied");
    expect(notice.textContent).toContain("Refund of 59.00 USD was denied by Sam Supervisor: The order was refunded by the carrier.");

    // a success, and a call of another conversation (no notice)
    const other = b.gates.propose(simUser("ana"), refund({ handoff_id: "hf_0001", tool: "orders.lookup", params: { order_id: "Z1" } })).id;
    b.gates.execute(other, "user:1:ana");
    await emit("gates-changed", { call_id: other, handoff_id: "hf_0001", state: "succeeded" });
    const mine = b.gates.propose(simUser("ana"), refund({ tool: "orders.lookup", params: { order_id: "A123" } })).id;
    b.gates.execute(mine, "user:1:ana");
    await emit("gates-changed", { call_id: mine, handoff_id: "hf_0000", state: "succeeded" });
    await waitFor(() => expect(screen.getAllByTestId("call-notice")).toHaveLength(2));
    expect(screen.getAllByTestId("call-notice")[1]!.textContent).toContain("Look up order succeeded (HTTP 200).");
  });
});

describe("the bot's pending actions", () => {
  test("Forward for approval proposes the bot's action with its parameters; a tool the desk does not know has no button", async () => {
    const { b, user } = await openConversation("ana", (bb) => {
      const d = detail("hf_0000");
      d.handoff.attempted_actions = [
        { tool: "billing.refund", params: { order_id: "A123", amount: "80.00", currency: "USD" }, status: "pending", result: null, at: new Date().toISOString() },
        { tool: "cards.replace", params: { card_last4: "4821" }, status: "pending", result: null, at: new Date().toISOString() },
      ];
      bb.details.set("hf_0000", d);
    });
    const actions = screen.getAllByTestId("action-item");
    await waitFor(() => expect(within(actions[0]!).getByTestId("forward-action")).toBeTruthy());
    expect(within(actions[1]!).queryByTestId("forward-action")).toBeNull();
    await user.click(within(actions[0]!).getByTestId("forward-action"));
    await waitFor(() =>
      expect(b.argsOf("propose_tool_call")).toEqual([
        { input: { handoff_id: "hf_0000", tool: "billing.refund", params: { order_id: "A123", amount: "80.00", currency: "USD" }, origin: "bot", fraud_suspected: false } },
      ]),
    );
    expect((await within(screen.getAllByTestId("action-item")[0]!).findByTestId("action-forwarded")).textContent).toContain("pending approval");
    expect(screen.getByTestId("tool-call").textContent).toContain("for the bot");
  });

  test("a bot action whose parameters do not fit: Rust's message, then the form prefilled with them", async () => {
    const { b, user } = await openConversation("ana", (bb) => {
      const d = detail("hf_0000");
      d.handoff.attempted_actions = [{ tool: "subscriptions.cancel", params: { at_period_end: true }, status: "pending", result: null, at: new Date().toISOString() }];
      bb.details.set("hf_0000", d);
    });
    await user.click(await screen.findByTestId("forward-action"));
    const err = await screen.findByTestId("forward-error");
    expect(err.textContent).toContain("$.params.subscription_id is required");
    await user.click(within(err).getByRole("button", { name: "Fix the values in the form…" }));
    expect((screen.getByTestId("propose-tool") as HTMLSelectElement).value).toBe("subscriptions.cancel");
    expect((screen.getByTestId("param-at_period_end") as HTMLInputElement).checked).toBe(true);
    await user.type(screen.getByTestId("param-subscription_id"), "sub_1");
    await user.click(screen.getByTestId("propose-submit"));
    await waitFor(() => expect(b.argsOf("propose_tool_call")).toHaveLength(2));
    expect(b.argsOf("propose_tool_call")[1]!.input).toMatchObject({ origin: "bot", params: { subscription_id: "sub_1", at_period_end: true } });
  });
});

describe("who sees what", () => {
  test("an agent: propose, Audit, no Approvals; a supervisor: Approvals with the count; a team lead: Audit only", async () => {
    const b = installBackend(rows(2), { user: "ana" });
    b.gates.propose(simUser("ana"), refund());
    const { user } = renderApp({ openId: "hf_0000" });
    await screen.findByTestId("propose-action");
    expect(screen.getByTestId("nav-audit")).toBeTruthy();
    expect(screen.queryByTestId("nav-approvals")).toBeNull();
    expect(b.argsOf("pending_approvals")).toHaveLength(0);

    await user.click(screen.getByTestId("switch-user"));
    // sam signs in on top
    const { DEMO_PASSWORD } = await import("../../test/fixtures");
    await user.type(await screen.findByTestId("signin-username"), "sam");
    await user.type(screen.getByTestId("signin-password"), `${DEMO_PASSWORD}{Enter}`);
    const nav = await screen.findByTestId("nav-approvals");
    await waitFor(() => expect(nav.dataset.count).toBe("1"));
    expect(screen.getByTestId("nav-approvals-count").textContent).toBe("1");
    expect(screen.getByTestId("nav-audit")).toBeTruthy();
  });

  test("a team lead: Audit, no Approvals, no propose", async () => {
    installBackend(rows(2), { user: "lee" });
    renderApp({ openId: "hf_0000" });
    await screen.findByTestId("intent-name");
    expect(screen.getByTestId("nav-audit")).toBeTruthy();
    expect(screen.queryByTestId("nav-approvals")).toBeNull();
    expect(screen.queryByTestId("propose-action")).toBeNull();
  });
});
