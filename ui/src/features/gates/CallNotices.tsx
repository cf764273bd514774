import { useEffect } from "react";
import type { CallNotice } from "./hooks";

/** A success fades after this long; a denial, an expiry or a failure stays until dismissed. */
const OK_MS = 8000;

/**
 * What became of the open conversation's tool calls (denied with the reason, expired, succeeded,
 * failed). Denials, expiries and failures stay until dismissed, so a reason is never missed.
 */
export function CallNotices({ notices, onDismiss }: { notices: CallNotice[]; onDismiss: (key: string) => void }) {
  const okKeys = notices.filter((n) => n.tone === "ok").map((n) => n.key).join(" ");
  useEffect(() => {
    if (okKeys === "") return;
    const t = setTimeout(() => okKeys.split(" ").forEach(onDismiss), OK_MS);
    return () => clearTimeout(t);
  }, [okKeys, onDismiss]);
  if (notices.length === 0) return null;
  return (
    <div className="call-notices" aria-label="Tool call updates">
      {notices.map((n) => (
        <div
          key={n.key}
          className={`call-notice call-notice--${n.tone}`}
          role={n.tone === "bad" ? "alert" : "status"}
          data-testid="call-notice"
          data-call-id={n.callId}
          data-state={n.state}
        >
          <span className="call-notice__icon" aria-hidden="true">
            {n.tone === "ok" ? "✓" : "✗"}
          </span>
          <span className="call-notice__text">{n.text}</span>
          <button type="button" className="icon-button icon-button--small" aria-label="Dismiss" onClick={() => onDismiss(n.key)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
