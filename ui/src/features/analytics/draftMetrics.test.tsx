import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { installBackend } from "../../test/backend";
import { installDrafts, metricsRow } from "../../test/backend-drafts";
import { rows } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { decisionTime } from "./DraftMetrics";

describe("draft metrics in the analytics", () => {
  test("stacked bars approved / edited / rejected per intent, and the table", async () => {
    const b = installBackend(rows(2), { user: "lee" });
    const d = installDrafts(b);
    d.metrics = [
      metricsRow("order_status", { drafts: 12, decided: 10, approved: 8, edited: 1, rejected: 1, acceptance_rate: 0.8, edit_rate: 0.1, median_edit_distance: 12, median_decision_secs: 95 }),
      metricsRow("refund_request", { drafts: 20, decided: 16, approved: 9, edited: 4, rejected: 3, acceptance_rate: 0.5625, edit_rate: 0.25, median_edit_distance: 37.4, median_decision_secs: 48 }),
      metricsRow("card_lost", { drafts: 3, decided: 0, approved: 0, edited: 0, rejected: 0, acceptance_rate: null, edit_rate: null, median_edit_distance: null, median_decision_secs: null }),
    ];
    renderApp({ view: "analytics" });
    const card = await screen.findByTestId("chart-draft-acceptance");
    expect(within(card).getByRole("heading").textContent).toBe("Draft acceptance by intent");
    await waitFor(() => expect(card.querySelector("svg.recharts-surface")).not.toBeNull());
    // three stacked series, one bar group per intent that has decided drafts
    expect(card.querySelectorAll(".recharts-bar")).toHaveLength(3);
    expect(card.textContent).toContain("Approved as drafted");
    expect(card.textContent).toContain("Edited, then sent");
    expect(card.textContent).toContain("Rejected");
    expect(card.textContent).toContain("56% · n=16");
    expect(card.textContent).toContain("26 drafts decided, 65% approved as drafted");

    // the table: most drafts first; rates, median edit distance and time to decision
    const trs = within(card).getAllByTestId("draft-metrics-row");
    expect(trs.map((r) => r.dataset.intent)).toEqual(["refund_request", "order_status", "card_lost"]);
    const cells = (tr: HTMLElement) => [...tr.querySelectorAll("th, td")].map((c) => c.textContent);
    expect(cells(trs[0]!)).toEqual(["refund_request", "20", "16", "56%", "25%", "37 chars", "48 s"]);
    expect(cells(trs[1]!)).toEqual(["order_status", "12", "10", "80%", "10%", "12 chars", "1 min"]);
    expect(cells(trs[2]!)).toEqual(["card_lost", "3", "0", "–", "–", "–", "–"]);
    expect(b.argsOf("draft_metrics")).toHaveLength(1);
  });

  test("no drafts yet: an empty state instead of the chart", async () => {
    const b = installBackend(rows(2), { user: "lee" });
    const d = installDrafts(b);
    d.metrics = [];
    renderApp({ view: "analytics" });
    await screen.findByTestId("draft-metrics-empty");
    expect(screen.getByTestId("chart-draft-acceptance").querySelector("svg")).toBeNull();
  });

  test("a failure says what happened, with a retry", async () => {
    const b = installBackend(rows(2), { user: "lee" });
    installDrafts(b);
    b.failOnce.draft_metrics = { kind: "internal", message: "database is locked" };
    const { user } = renderApp({ view: "analytics" });
    const card = await screen.findByTestId("chart-draft-acceptance");
    await waitFor(() => expect(card.textContent).toContain("database is locked"));
    await user.click(within(card).getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(within(card).getAllByTestId("draft-metrics-row")).toHaveLength(2));
  });

  test("decision times read in seconds under a minute", () => {
    expect(decisionTime(null)).toBe("–");
    expect(decisionTime(4.4)).toBe("4 s");
    expect(decisionTime(125)).toBe("2 min");
  });
});
