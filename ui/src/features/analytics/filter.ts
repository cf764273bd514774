// The analytics filter as the user sets it, and the AnalyticsFilter sent to the Rust side.
import type { AnalyticsFilter } from "../../bindings";

export type Range = "24h" | "7d" | "30d" | "all" | "custom";

export const RANGES: { value: Range; label: string; title: string }[] = [
  { value: "24h", label: "24 h", title: "Escalated in the last 24 hours" },
  { value: "7d", label: "7 d", title: "Escalated in the last 7 days" },
  { value: "30d", label: "30 d", title: "Escalated in the last 30 days" },
  { value: "all", label: "All", title: "Everything in the database" },
  { value: "custom", label: "Dates…", title: "From one day to another (both included)" },
];

const SPAN_MS: Partial<Record<Range, number>> = {
  "24h": 24 * 3600_000,
  "7d": 7 * 24 * 3600_000,
  "30d": 30 * 24 * 3600_000,
};

export type FilterState = {
  range: Range;
  /** "Now" for the relative ranges, fixed when the range was picked (or refreshed). */
  anchorMs: number;
  /** `YYYY-MM-DD` (local days), for the custom range. */
  from: string;
  to: string;
  intent: string;
  version: string;
};

export function initialFilter(nowMs: number): FilterState {
  return { range: "30d", anchorMs: nowMs, from: "", to: "", intent: "", version: "" };
}

/** Local midnight at the start of a `YYYY-MM-DD` day; null when not a date. */
export function localDayStart(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const t = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
  return Number.isFinite(t) ? t : null;
}

export function toAnalyticsFilter(s: FilterState): AnalyticsFilter {
  let from_ms: number | null = null;
  let to_ms: number | null = null;
  const span = SPAN_MS[s.range];
  if (span !== undefined) {
    from_ms = s.anchorMs - span;
  } else if (s.range === "custom") {
    from_ms = localDayStart(s.from);
    const to = localDayStart(s.to);
    // the "to" day is included: up to the start of the next day
    to_ms = to === null ? null : new Date(to).setDate(new Date(to).getDate() + 1);
  }
  return {
    from_ms,
    to_ms,
    intents: s.intent === "" ? [] : [s.intent],
    bot_versions: s.version === "" ? [] : [s.version],
  };
}

/** `YYYY-MM-DD` of an instant, in local time (for default file names and date inputs). */
export function localDay(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
