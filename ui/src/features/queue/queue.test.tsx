import { emit } from "@tauri-apps/api/event";
import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { installBackend } from "../../test/backend";
import { row, rows } from "../../test/fixtures";
import { renderApp } from "../../test/render";

const queueRows = () => screen.getAllByTestId("queue-row");
const selectedIds = () =>
  queueRows()
    .filter((r) => r.getAttribute("aria-selected") === "true")
    .map((r) => r.dataset.handoffId);

describe("queue", () => {
  test("renders the rows queue_page returns, with the total from queue_facets", async () => {
    const b = installBackend([
      row(0, { customer_name: null, customer_id: "cus_anon", summary: "Wants a refund for A123" }),
      row(1, { priority: "urgent", intent: "cancel_subscription", confidence: 0.91, band: "high" }),
      row(2),
    ]);
    renderApp();
    await waitFor(() => expect(queueRows()).toHaveLength(3));
    const [first, second] = queueRows();
    expect(first!.dataset.handoffId).toBe("hf_0000");
    expect(first!.textContent).toContain("cus_anon"); // id when the name is null
    expect(first!.textContent).toContain("Wants a refund for A123");
    expect(first!.textContent).toContain("Web");
    expect(first!.textContent).toContain("Low confidence");
    expect(first!.textContent).toContain("frustrated");
    expect(second!.textContent).toContain("urgent");
    expect(second!.textContent).toContain("cancel_subscription");
    expect(second!.textContent).toContain("0.91");
    expect(second!.textContent).toContain("HIGH");
    expect(screen.getByTestId("total-count").textContent).toBe("3");
    expect(screen.getByTestId("total-count").dataset.count).toBe("3");
    // the first request is the default: no filter, triage ascending, no cursor
    const q = b.queueQueries()[0]!;
    expect(q).toEqual({
      filter: { search: null, priorities: [], channels: [], reasons: [], intents: [], sentiments: [], bands: [], claim: "any" },
      sort: { key: "triage", descending: false },
      cursor: null,
      limit: 200,
    });
    expect(screen.getByTestId("empty-conversation")).toBeTruthy();
  });

  test("j/k move the selection and Enter opens the selected escalation", async () => {
    const b = installBackend(rows(5));
    const { user } = renderApp();
    await waitFor(() => expect(queueRows()).toHaveLength(5));
    expect(selectedIds()).toEqual([]);

    await user.keyboard("j");
    expect(selectedIds()).toEqual(["hf_0000"]);
    await user.keyboard("jj");
    expect(selectedIds()).toEqual(["hf_0002"]);
    await user.keyboard("k");
    expect(selectedIds()).toEqual(["hf_0001"]);
    await user.keyboard("kkkk"); // stops at the top
    expect(selectedIds()).toEqual(["hf_0000"]);
    await user.keyboard("j");
    // moving does not open
    expect(screen.getByTestId("empty-conversation")).toBeTruthy();
    expect(b.calls.some((c) => c.cmd === "get_handoff")).toBe(false);

    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByTestId("conversation-summary").textContent).toContain("Wants a refund"));
    expect(b.calls.find((c) => c.cmd === "get_handoff")!.args).toEqual({ handoffId: "hf_0001" });
    expect(screen.queryByTestId("empty-conversation")).toBeNull();
  });

  test("filters, sort and search produce the right QueueQuery", async () => {
    const b = installBackend(rows(4));
    const { user } = renderApp();
    await waitFor(() => expect(queueRows()).toHaveLength(4));

    await user.click(screen.getByTestId("filters-toggle"));
    const panel = screen.getByTestId("filter-panel");
    await user.click(within(panel).getByLabelText(/^urgent/));
    await user.click(within(panel).getByLabelText("Email"));
    await user.click(within(panel).getByLabelText("LOW"));
    await user.click(within(panel).getByLabelText("Asked for a human"));
    await user.click(within(panel).getByLabelText("angry"));
    await user.click(within(panel).getByLabelText(/^order_status/)); // from queue_facets
    await waitFor(() =>
      expect(b.queueQueries().at(-1)!.filter).toEqual({
        search: null,
        priorities: ["urgent"],
        channels: ["email"],
        reasons: ["customer_requested_human"],
        intents: ["order_status"],
        sentiments: ["angry"],
        bands: ["low"],
        claim: "any",
      }),
    );
    // unticking removes the value again
    await user.click(within(panel).getByLabelText("Email"));
    await waitFor(() => expect(b.queueQueries().at(-1)!.filter.channels).toEqual([]));

    await user.selectOptions(screen.getByTestId("sort-key"), "confidence");
    await user.selectOptions(screen.getByTestId("sort-direction"), "desc");
    await waitFor(() => expect(b.queueQueries().at(-1)!.sort).toEqual({ key: "confidence", descending: true }));

    // "/" focuses the search box; typing is debounced into one query with normalised words
    await user.keyboard("{Escape}"); // close the filter panel
    await user.keyboard("/");
    expect(document.activeElement).toBe(screen.getByTestId("search-input"));
    const before = b.queueQueries().length;
    await user.keyboard("  refund   damaged ");
    await waitFor(() => expect(b.queueQueries().at(-1)!.filter.search).toBe("refund damaged"));
    const searches = b.queueQueries().slice(before).map((q) => q.filter.search);
    expect(searches.filter((s) => s !== null && s !== "refund damaged")).toEqual([]); // no query per keystroke
    expect(b.queueQueries().at(-1)!.filter.priorities).toEqual(["urgent"]);

    // Esc leaves the search box, and shortcuts work again
    await user.keyboard("{Escape}");
    expect(document.activeElement).not.toBe(screen.getByTestId("search-input"));
  });

  test("fetches the next page (with the cursor) as the list is scrolled", async () => {
    const b = installBackend(rows(450), 200);
    renderApp();
    await waitFor(() => expect(b.queueQueries().length).toBeGreaterThanOrEqual(1));
    const list = await screen.findByTestId("queue-list");
    // only what is in view is rendered
    expect(queueRows().length).toBeLessThan(60);
    act(() => {
      list.scrollTop = 190 * 70;
      list.dispatchEvent(new Event("scroll"));
    });
    await waitFor(() => expect(b.queueQueries().some((q) => q.cursor === "200")).toBe(true));
  });

  test("a new sort or filter starts the list at the top", async () => {
    installBackend(rows(300), 200);
    const { user } = renderApp();
    const list = await screen.findByTestId("queue-list");
    await waitFor(() => expect(queueRows().length).toBeGreaterThan(0));
    act(() => {
      list.scrollTop = 50 * 70;
      list.dispatchEvent(new Event("scroll"));
    });
    await user.selectOptions(screen.getByTestId("sort-key"), "age");
    await waitFor(() => expect(screen.getByTestId("queue-list").scrollTop).toBe(0));
  });

  test("a queue-changed event keeps the selection on its row and marks new arrivals", async () => {
    const b = installBackend(rows(6));
    const { user } = renderApp();
    await waitFor(() => expect(queueRows()).toHaveLength(6));
    await user.keyboard("jjj");
    expect(selectedIds()).toEqual(["hf_0002"]);

    // two escalations arrive ahead of the selected one
    const a = row(100, { handoff_id: "hf_new1", priority: "urgent" });
    const c = row(101, { handoff_id: "hf_new2", priority: "urgent" });
    b.rows = [a, c, ...b.rows];
    await act(async () => {
      await emit("queue-changed", { handoff_ids: ["hf_new1", "hf_new2"], quarantined: 0 });
    });
    await waitFor(() => expect(queueRows()).toHaveLength(8));
    expect(selectedIds()).toEqual(["hf_0002"]);
    // the rows above it pushed it down by two rows: the list scrolled by as much, so it stays put
    expect(screen.getByTestId("queue-list").scrollTop).toBe(2 * 70);
    const byId = (id: string) => queueRows().find((r) => r.dataset.handoffId === id)!;
    expect(byId("hf_new1").className).toContain("qrow--new");
    expect(byId("hf_0002").className).not.toContain("qrow--new");
    expect(screen.getByTestId("new-pill").textContent).toContain("2 new");
    expect(screen.getByTestId("total-count").textContent).toBe("8");

    // j continues from the same row, not from its old index
    await user.keyboard("j");
    expect(selectedIds()).toEqual(["hf_0003"]);

    // opening a new row marks it seen
    await user.click(byId("hf_new1"));
    await waitFor(() => expect(byId("hf_new1").className).not.toContain("qrow--new"));
    expect(screen.getByTestId("new-pill").textContent).toContain("1 new");
  });

  test("empty, error and retry states", async () => {
    const b = installBackend([]);
    b.fail.queue_page = { kind: "internal", message: "database is locked" };
    const { user } = renderApp();
    await screen.findByText("database is locked");
    expect(screen.getByText("Could not load the queue")).toBeTruthy();
    b.fail = {};
    await user.click(screen.getByRole("button", { name: "Retry" }));
    await screen.findByText("No escalations waiting");
    expect(screen.getByTestId("queue-empty")).toBeTruthy();
  });
});
