// Formatting of durations and instants. The SLA itself (`sla_secs`) comes from the Rust side.

/** "<1 min", "6 min", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const secs = Math.max(0, Math.floor(ms / 1000));
  const mins = Math.floor(secs / 60);
  if (mins < 1) return "<1 min";
  if (mins < 60) return `${mins} min`;
  const hours = Math.floor(mins / 60);
  if (hours < 24) {
    const m = mins % 60;
    return m === 0 ? `${hours} h` : `${hours} h ${m} min`;
  }
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  return h === 0 ? `${days} d` : `${days} d ${h} h`;
}

/** "6 min ago" style, for instants in the past. */
export function formatAgo(atMs: number, nowMs: number): string {
  const d = nowMs - atMs;
  if (d < 60_000 && d > -60_000) return "just now";
  if (d < 0) return `in ${formatDuration(-d)}`;
  return `${formatDuration(d)} ago`;
}

const exactFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZoneName: "short",
});

const clockFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });

/** The exact local time, for `title` tooltips. */
export function formatExact(atMs: number): string {
  return Number.isFinite(atMs) ? exactFormat.format(atMs) : "unknown time";
}

/** Hours and minutes, for transcript turns. */
export function formatClock(atMs: number): string {
  return Number.isFinite(atMs) ? clockFormat.format(atMs) : "--:--";
}

export function parseInstant(rfc3339: string): number {
  return Date.parse(rfc3339);
}

export type SlaLevel = "ok" | "warn" | "breach";

/** Amber once more than half the SLA has gone, red once it is past. */
export function slaLevel(waitedMs: number, slaSecs: number): SlaLevel {
  if (!(slaSecs > 0)) return "ok";
  const waited = waitedMs / 1000;
  if (waited > slaSecs) return "breach";
  if (waited > slaSecs / 2) return "warn";
  return "ok";
}
