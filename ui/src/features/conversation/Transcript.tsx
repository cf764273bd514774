import type { Turn } from "../../bindings";
import { ROLE_LABEL } from "../../labels";
import { formatClock, formatExact, parseInstant } from "../../time";

/** The conversation so far. Every text is rendered as text: nothing here is HTML. */
export function Transcript({ turns, customerName }: { turns: Turn[]; customerName: string }) {
  if (turns.length === 0) {
    return <p className="muted transcript__empty">The bot sent no transcript.</p>;
  }
  return (
    <ol className="transcript" aria-label="Transcript">
      {turns.map((t, i) => {
        const at = parseInstant(t.at);
        const who = t.role === "customer" ? customerName : ROLE_LABEL[t.role];
        return (
          <li key={i} className={`turn turn--${t.role}`} data-testid="transcript-turn" data-role={t.role}>
            <div className="turn__meta">
              <span className="turn__who">{who}</span>
              {t.role === "customer" && <span className="turn__role">customer</span>}
              <time className="turn__time" dateTime={t.at} title={formatExact(at)}>
                {formatClock(at)}
              </time>
            </div>
            <div className="turn__text">{t.text}</div>
            {t.sources && t.sources.length > 0 && (
              <ul className="turn__sources" aria-label="Sources">
                {t.sources.map((s) => (
                  <li key={s} className="chip chip--source" title={`Knowledge-base source: ${s}`}>
                    {s}
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ol>
  );
}
