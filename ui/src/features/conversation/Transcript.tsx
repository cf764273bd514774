import type { OutboxEntry, Turn } from "../../bindings";
import { ROLE_LABEL } from "../../labels";
import { formatClock, formatExact, parseInstant } from "../../time";

/**
 * The conversation so far, then the replies the desk sent or is sending (`sent`, from the
 * outbox). Every text is rendered as text: nothing here is HTML.
 */
export function Transcript({ turns, customerName, sent = [] }: { turns: Turn[]; customerName: string; sent?: OutboxEntry[] }) {
  if (turns.length === 0 && sent.length === 0) {
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
      {sent.map((o) => (
        <SentTurn key={o.id} entry={o} />
      ))}
    </ol>
  );
}

/**
 * A reply from the desk: "Sending…" until the channel confirms it, then "✓ Sent" and when. When
 * the channel refused it or could not be reached, it says so and why (it is tried again).
 */
function SentTurn({ entry: o }: { entry: OutboxEntry }) {
  const at = o.sent_at_ms ?? o.created_at_ms;
  return (
    <li
      className={`turn turn--agent turn--sent${o.sent ? "" : " turn--sending"}`}
      data-testid="transcript-turn"
      data-role="agent"
      data-sent={o.sent ? "true" : "false"}
    >
      <div className="turn__meta">
        <span className="turn__who">{o.author}</span>
        <span className="turn__role">agent</span>
        {o.sent ? (
          <span className="turn__status turn__status--sent" data-testid="sent-status">
            ✓ Sent
          </span>
        ) : o.last_error !== null ? (
          <span className="turn__status turn__status--failed" data-testid="sent-status" data-state="not-delivered" title={o.last_error}>
            <span aria-hidden="true">⚠ </span>Not delivered yet, retrying
          </span>
        ) : (
          <span className="turn__status turn__status--sending" data-testid="sent-status">
            Sending…
          </span>
        )}
        <time className="turn__time" dateTime={new Date(at).toISOString()} title={`${o.sent ? "Sent" : "Queued"} ${formatExact(at)}`}>
          {formatClock(at)}
        </time>
      </div>
      <div className="turn__text">{o.text}</div>
      {!o.sent && o.last_error !== null && (
        <p className="turn__delivery-error small" data-testid="delivery-error">
          {o.last_error}
        </p>
      )}
    </li>
  );
}
