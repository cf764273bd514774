import { useNow } from "../clock";
import { formatDuration, formatExact, slaLevel } from "../time";

const ICON = { ok: "", warn: "◔", breach: "⚠" } as const;
const WORD = { ok: "within SLA", warn: "over half the SLA used", breach: "past SLA" } as const;

/**
 * How long the customer has waited, amber past half of `slaSecs` and red past it; the icon and
 * the word (visible on hover and to screen readers) carry the same meaning as the colour.
 */
export function WaitingTime({ escalatedMs, slaSecs }: { escalatedMs: number; slaSecs: number }) {
  const now = useNow();
  const waited = now - escalatedMs;
  const level = slaLevel(waited, slaSecs);
  const text = formatDuration(waited);
  const sla = formatDuration(slaSecs * 1000);
  return (
    <span
      className={`wait wait--${level}`}
      data-sla={level}
      title={`Waiting since ${formatExact(escalatedMs)} — ${WORD[level]} (SLA ${sla})`}
    >
      {level !== "ok" && (
        <span className="wait__icon" aria-hidden="true">
          {ICON[level]}
        </span>
      )}
      <span>{text}</span>
      {level === "breach" && <span className="wait__word">late</span>}
      <span className="visually-hidden">, {WORD[level]}</span>
    </span>
  );
}
