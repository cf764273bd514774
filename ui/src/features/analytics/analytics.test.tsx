import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import type { AnalyticsFilter } from "../../bindings";
import { installBackend } from "../../test/backend";
import { DEMO_PASSWORD, analytics, rows } from "../../test/fixtures";
import { renderApp } from "../../test/render";

async function openAnalytics(user = "lee" as const) {
  const b = installBackend(rows(2), { user });
  const r = renderApp({ view: "analytics" });
  await screen.findByTestId("analytics-view");
  await waitFor(() => expect(screen.getByTestId("analytics-rated-count")).toBeTruthy());
  return { b, ...r };
}

describe("analytics", () => {
  test("numbers, charts and the per-intent table", async () => {
    const { b } = await openAnalytics();
    expect(screen.getByTestId("analytics-rated-count").textContent).toBe("42");
    expect(screen.getByTestId("analytics-escalations").textContent).toBe((1234).toLocaleString());
    // the first request: last 30 days, no intent or version
    const f = b.argsOf("analytics")[0]!.filter as AnalyticsFilter;
    expect(f.to_ms).toBeNull();
    expect(Math.abs(Date.now() - 30 * 86_400_000 - f.from_ms!)).toBeLessThan(60_000);
    expect(f.intents).toEqual([]);
    expect(f.bot_versions).toEqual([]);

    const cal = screen.getByTestId("chart-calibration");
    expect(within(cal).getByRole("heading").textContent).toBe("Calibration · ECE 0.100");
    // drawn by the charting library: an SVG with one point per bin that has ratings, and the diagonal
    await waitFor(() => expect(cal.querySelector("svg.recharts-surface")).not.toBeNull());
    expect(cal.querySelectorAll(".recharts-scatter-symbol")).toHaveLength(7);
    expect(cal.querySelector(".recharts-reference-line")).not.toBeNull();
    expect(cal.textContent).toContain("perfectly calibrated");
    expect(cal.textContent).toContain("n=11");

    const reasons = screen.getByTestId("chart-reasons");
    await waitFor(() => expect(reasons.querySelector("svg.recharts-surface")).not.toBeNull());
    // stacked bars: one series per reason present
    expect(reasons.querySelectorAll(".recharts-bar")).toHaveLength(3);
    expect(reasons.textContent).toContain("Low confidence");

    const byIntent = screen.getByTestId("chart-ratings-intent");
    await waitFor(() => expect(byIntent.querySelector("svg.recharts-surface")).not.toBeNull());
    expect(byIntent.textContent).toContain("refund_request");
    expect(byIntent.textContent).toContain("3.4 · n=30");

    const table = screen.getAllByTestId("intent-table-row");
    expect(table.map((r) => r.dataset.intent)).toEqual(["refund_request", "order_status"]);
    expect(table[0]!.textContent).toContain("70%");
    expect(table[1]!.textContent).toContain("92%");
  });

  test("filters: range, intent and bot version go into the AnalyticsFilter", async () => {
    const { b, user } = await openAnalytics();
    await user.click(screen.getByTestId("range-7d"));
    await waitFor(() => {
      const f = b.argsOf("analytics").at(-1)!.filter as AnalyticsFilter;
      expect(Math.abs(Date.now() - 7 * 86_400_000 - f.from_ms!)).toBeLessThan(60_000);
    });
    await user.selectOptions(screen.getByTestId("analytics-intent"), "order_status");
    await user.selectOptions(screen.getByTestId("analytics-version"), "2026.11.1");
    await waitFor(() => {
      const f = b.argsOf("analytics").at(-1)!.filter as AnalyticsFilter;
      expect(f.intents).toEqual(["order_status"]);
      expect(f.bot_versions).toEqual(["2026.11.1"]);
    });
    await user.click(screen.getByTestId("range-all"));
    await waitFor(() => expect(b.argsOf("analytics").at(-1)!.filter).toEqual({ from_ms: null, to_ms: null, intents: ["order_status"], bot_versions: ["2026.11.1"] }));
    await user.click(screen.getByTestId("range-custom"));
    await user.type(screen.getByTestId("range-from"), "2026-11-01");
    await user.type(screen.getByTestId("range-to"), "2026-11-03");
    await waitFor(() => {
      const f = b.argsOf("analytics").at(-1)!.filter as AnalyticsFilter;
      expect(f.from_ms).toBe(new Date(2026, 10, 1).getTime());
      expect(f.to_ms).toBe(new Date(2026, 10, 4).getTime()); // the "to" day is included
    });
  });

  test("nothing rated yet: the calibration empty state instead of a chart", async () => {
    const b = installBackend(rows(1), { user: "lee" });
    b.analytics = analytics(0);
    renderApp({ view: "analytics" });
    const empty = await screen.findByTestId("calibration-empty");
    expect(empty.textContent).toContain("Rate handoffs to see calibration");
    expect(screen.getByTestId("analytics-rated-count").textContent).toBe("0");
    expect(screen.queryByTestId("chart-calibration")).toBeNull();
    expect(screen.queryByTestId("chart-ratings-intent")).toBeNull();
    expect(screen.getByTestId("ratings-empty")).toBeTruthy();
    // escalations are still charted
    expect(screen.getByTestId("chart-reasons")).toBeTruthy();
  });

  test("export CSV: the path from the save dialog is passed, the bytes written are shown", async () => {
    const { b, user } = await openAnalytics();
    await user.selectOptions(screen.getByTestId("export-table"), "by_intent");
    await user.click(screen.getByTestId("analytics-export-csv"));
    await waitFor(() => expect(b.argsOf("export_csv")).toHaveLength(1));
    const args = b.argsOf("export_csv")[0]!;
    expect(args.table).toBe("by_intent");
    expect(args.path).toBe("/home/lee/exports/chosen.csv");
    expect(args.filter).toEqual(b.argsOf("analytics").at(-1)!.filter);
    const done = await screen.findByTestId("export-result");
    expect(done.textContent).toContain("2,048 bytes");
    expect(done.textContent).toContain("/home/lee/exports/chosen.csv");
  });

  test("cancelling the save dialog exports nothing", async () => {
    const { b, user } = await openAnalytics();
    b.handle["plugin:dialog|save"] = () => null;
    await user.click(screen.getByTestId("analytics-export-cases"));
    await new Promise((r) => setTimeout(r, 50));
    expect(b.argsOf("export_eval_cases")).toEqual([]);
    expect(screen.queryByTestId("export-result")).toBeNull();
  });

  test("step_up_required opens the password prompt, then the export is retried", async () => {
    const { b, user } = await openAnalytics();
    b.failOnce.export_eval_cases = { kind: "step_up_required", message: "Confirm your password to do this." };
    await user.click(screen.getByTestId("analytics-export-cases"));
    const dialog = await screen.findByTestId("stepup-dialog");
    expect(dialog.textContent).toContain("Exporting data needs your password again.");
    expect(document.activeElement).toBe(screen.getByTestId("stepup-password"));
    // a wrong password: the prompt stays, with the message
    await user.type(screen.getByTestId("stepup-password"), "wrong{Enter}");
    expect((await screen.findByTestId("stepup-error")).textContent).toContain("Wrong username or password.");
    expect(b.argsOf("export_eval_cases")).toHaveLength(1);
    await user.type(screen.getByTestId("stepup-password"), `${DEMO_PASSWORD}{Enter}`);
    await waitFor(() => expect(b.argsOf("export_eval_cases")).toHaveLength(2));
    expect(b.argsOf("step_up")).toEqual([{ password: "wrong" }, { password: DEMO_PASSWORD }]);
    expect(b.argsOf("export_eval_cases")[1]!.path).toBe("/home/lee/exports/chosen.csv");
    expect((await screen.findByTestId("export-result")).textContent).toContain("123,456 bytes");
    expect(screen.queryByTestId("stepup-dialog")).toBeNull();
  });

  test("closing the password prompt cancels quietly", async () => {
    const { b, user } = await openAnalytics();
    b.failOnce.export_csv = { kind: "step_up_required", message: "Confirm your password to do this." };
    await user.click(screen.getByTestId("analytics-export-csv"));
    await screen.findByTestId("stepup-dialog");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("stepup-dialog")).toBeNull());
    expect(b.argsOf("export_csv")).toHaveLength(1);
    expect(screen.queryByTestId("export-result")).toBeNull();
    expect(screen.queryByTestId("export-error")).toBeNull();
  });

  test("a new rating makes the analytics fetch again when the view opens", async () => {
    const { b, user } = await openAnalytics();
    const before = b.argsOf("analytics").length;
    b.analytics = analytics(43);
    await user.click(screen.getByTestId("nav-desk"));
    await user.click(screen.getByTestId("nav-analytics"));
    await waitFor(() => expect(screen.getByTestId("analytics-rated-count").textContent).toBe("43"));
    expect(b.argsOf("analytics").length).toBeGreaterThan(before);
  });
});
