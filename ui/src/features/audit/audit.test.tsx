import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import type { AuditFilter } from "../../bindings";
import { installBackend, type Backend } from "../../test/backend";
import { DEMO_PASSWORD, rows } from "../../test/fixtures";
import { renderApp } from "../../test/render";

/** `n` events: tool calls by ana, drafts by sam, alternating, oldest first. */
function seedEvents(b: Backend, n: number) {
  const start = Date.now() - n * 60_000;
  for (let i = 1; i <= n; i++) {
    b.gates.at(start + i * 60_000, () =>
      i % 2 === 0
        ? b.gates.audit("draft.approved", `dr_${i}`, { handoff_id: "hf_0000", edit_distance: 0 }, "user:2:sam")
        : b.gates.audit("tool_call.proposed", `tc_${i}`, { tool: "billing.refund", params: { amount: "59.00" } }, "user:1:ana"),
    );
  }
}

async function openAudit(user: "ana" | "lee" | "sam" = "ana", setup?: (b: Backend) => void) {
  const b = installBackend(rows(2), { user });
  setup?.(b);
  const r = renderApp({ view: "audit" });
  await screen.findByTestId("audit-view");
  return { b, ...r };
}

const lastFilter = (b: Backend) => b.argsOf("audit_list").at(-1)!.filter as AuditFilter;

describe("audit log", () => {
  test("newest first, in keyset pages: Load older asks for the events before the last one shown", async () => {
    const { b, user } = await openAudit("ana", (bb) => seedEvents(bb, 150));
    await waitFor(() => expect(screen.getAllByTestId("audit-event")).toHaveLength(100));
    expect(b.argsOf("audit_list")[0]).toEqual({ filter: { kind_prefix: null, subject: null, actor: null }, beforeId: null, limit: 100 });
    const ids = () => screen.getAllByTestId("audit-event").map((e) => Number(e.dataset.id));
    expect(ids()[0]).toBe(150);
    expect(ids()[99]).toBe(51);
    const first = screen.getAllByTestId("audit-event")[0]!;
    expect(first.textContent).toContain("draft.approved");
    expect(first.textContent).toContain("user:2:sam");
    expect(first.textContent).toContain("dr_150");
    expect(within(first).getByTestId("audit-payload").textContent).toBe('{"edit_distance":0,"handoff_id":"hf_0000"}');
    expect(within(first).getByTestId("audit-hash").textContent).toBe(b.gates.events[149]!.hash.slice(0, 10));

    await user.click(screen.getByTestId("audit-load-older"));
    await waitFor(() => expect(screen.getAllByTestId("audit-event")).toHaveLength(150));
    expect(b.argsOf("audit_list")[1]).toEqual({ filter: { kind_prefix: null, subject: null, actor: null }, beforeId: 51, limit: 100 });
    expect(ids().at(-1)).toBe(1);
    expect(screen.queryByTestId("audit-load-older")).toBeNull();

    // the payload expands to pretty JSON, as text
    const last = screen.getAllByTestId("audit-event").at(-1)!;
    await user.click(within(last).getByTestId("audit-payload-toggle"));
    expect(within(last).getByTestId("audit-payload").textContent).toBe(
      '{\n  "params": {\n    "amount": "59.00"\n  },\n  "tool": "billing.refund"\n}',
    );
  });

  test("filters: kind prefix, subject and actor go to Rust; clicking a subject filters by it", async () => {
    const { b, user } = await openAudit("ana", (bb) => seedEvents(bb, 12));
    await waitFor(() => expect(screen.getAllByTestId("audit-event")).toHaveLength(12));
    await user.selectOptions(screen.getByTestId("audit-filter-kind"), "tool_call.");
    await waitFor(() => expect(lastFilter(b)).toEqual({ kind_prefix: "tool_call.", subject: null, actor: null }));
    await waitFor(() => expect(screen.getAllByTestId("audit-event")).toHaveLength(6));
    expect(screen.getAllByTestId("audit-event").every((e) => e.dataset.kind === "tool_call.proposed")).toBe(true);

    await user.type(screen.getByTestId("audit-filter-actor"), "ana");
    await waitFor(() => expect(lastFilter(b)).toEqual({ kind_prefix: "tool_call.", subject: null, actor: "ana" }));
    await user.click(within(screen.getAllByTestId("audit-event")[0]!).getByRole("button", { name: "tc_11" }));
    await waitFor(() => expect(lastFilter(b)).toEqual({ kind_prefix: "tool_call.", subject: "tc_11", actor: "ana" }));
    await waitFor(() => expect(screen.getAllByTestId("audit-event")).toHaveLength(1));

    await user.selectOptions(screen.getByTestId("audit-filter-kind"), "draft.");
    expect(await screen.findByTestId("audit-empty")).toBeTruthy();
    await user.click(screen.getByTestId("audit-filter-clear"));
    await waitFor(() => expect(lastFilter(b)).toEqual({ kind_prefix: null, subject: null, actor: null }));
    await waitFor(() => expect(screen.getAllByTestId("audit-event")).toHaveLength(12));
  });

  test("a chain that verifies: ✓ with the number of events, here and in the status line", async () => {
    const { b, user } = await openAudit("ana", (bb) => seedEvents(bb, 7));
    const ok = await screen.findByTestId("audit-verified");
    expect(ok.textContent).toBe("✓ Chain verified · 7 events");
    expect(screen.queryByTestId("audit-broken")).toBeNull();
    const badge = screen.getByTestId("audit-chain-status");
    expect(badge.dataset.ok).toBe("true");
    expect(badge.textContent).toContain("Audit chain");
    await user.click(screen.getByTestId("audit-verify"));
    await waitFor(() => expect(b.argsOf("audit_verify").length).toBeGreaterThanOrEqual(2));
  });

  test("a broken chain: ✗ with the event, Rust's problem and what to do; Verify again asks Rust again", async () => {
    const { b, user } = await openAudit("ana", (bb) => {
      seedEvents(bb, 9);
      bb.gates.tamper(4);
    });
    const broken = await screen.findByTestId("audit-broken");
    expect(broken.textContent).toContain("✗ Chain broken at event 4: event 4 was changed after it was written (its hash does not match its content).");
    expect(broken.textContent).toContain("Export the log and contact an admin.");
    expect(screen.queryByTestId("audit-verified")).toBeNull();
    expect(screen.getByTestId("audit-chain-status").dataset.ok).toBe("false");
    expect(screen.getByTestId("audit-chain-status").textContent).toContain("broken");

    // repaired (e.g. restored from a backup): verifying again shows it
    const before = b.argsOf("audit_verify").length;
    b.auditVerify = { events: 9, ok: true, first_broken_id: null, problem: null };
    await user.click(screen.getByTestId("audit-verify"));
    expect((await screen.findByTestId("audit-verified")).textContent).toContain("verified");
    expect(b.argsOf("audit_verify").length).toBe(before + 1);
  });

  test("export (team lead): the save dialog, the password, then audit_export with the chosen path", async () => {
    const { b, user } = await openAudit("lee", (bb) => seedEvents(bb, 5));
    await user.click(await screen.findByTestId("audit-export"));
    await user.type(await screen.findByTestId("stepup-password"), `${DEMO_PASSWORD}{Enter}`);
    expect((await screen.findByTestId("audit-export-result")).textContent).toBe("✓ Wrote 5 events to /home/lee/exports/chosen.csv");
    expect(b.argsOf("audit_export")).toEqual([{ path: "/home/lee/exports/chosen.csv" }, { path: "/home/lee/exports/chosen.csv" }]);
  });

  test("an agent sees the log but cannot export it; g l opens it from the desk", async () => {
    const b = installBackend(rows(2), { user: "ana" });
    seedEvents(b, 3);
    const { user } = renderApp();
    await screen.findAllByTestId("queue-row");
    await user.keyboard("gl");
    await screen.findByTestId("audit-view");
    await waitFor(() => expect(screen.getAllByTestId("audit-event")).toHaveLength(3));
    expect(screen.queryByTestId("audit-export")).toBeNull();
  });
});
