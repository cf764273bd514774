import { useState, type ReactNode } from "react";
import type { AttemptedAction } from "../../bindings";
import { StatusIcon } from "../../components/StatusIcon";
import { ACTION_STATUS } from "../../labels";
import { formatClock, formatExact, parseInstant } from "../../time";

/**
 * Every tool call the bot tried, in order: status icon and word, result, time, parameters.
 * `extra` adds controls under an action (e.g. forwarding a pending one for approval).
 */
export function ActionLedger({ actions, extra }: { actions: AttemptedAction[]; extra?: (a: AttemptedAction) => ReactNode }) {
  if (actions.length === 0) return <p className="muted small">The bot attempted no actions.</p>;
  return (
    <ol className="ledger">
      {actions.map((a, i) => (
        <ActionItem key={i} action={a} extra={extra?.(a)} />
      ))}
    </ol>
  );
}

function ActionItem({ action, extra }: { action: AttemptedAction; extra: ReactNode }) {
  const [open, setOpen] = useState(false);
  const s = ACTION_STATUS[action.status];
  const at = parseInstant(action.at);
  const paramCount = Object.keys(action.params).length;
  return (
    <li className={`ledger__item status--${action.status}`} data-testid="action-item" data-status={action.status}>
      <div className="ledger__head">
        <span className="ledger__tool mono">{action.tool}</span>
        <time className="ledger__time" dateTime={action.at} title={formatExact(at)}>
          {formatClock(at)}
        </time>
      </div>
      <p className="ledger__line">
        <span className="ledger__status" data-testid="action-status">
          <StatusIcon status={action.status} />
          <span className="visually-hidden">{s.icon} </span>
          <span className="ledger__word">{s.word}</span>
        </span>
        <span className="ledger__dash" aria-hidden="true">
          —{" "}
        </span>
        <span className="ledger__result">
          {action.result ?? (
            <span className="muted">{action.status === "pending" ? "waiting for a result" : "no result"}</span>
          )}
        </span>
      </p>
      <button
        type="button"
        className="link-button ledger__toggle"
        aria-expanded={open}
        data-testid="action-params-toggle"
        onClick={() => setOpen((o) => !o)}
      >
        <span aria-hidden="true">{open ? "▾" : "▸"}</span> Params ({paramCount})
      </button>
      {open && (
        <pre className="ledger__params" data-testid="action-params">
          {JSON.stringify(action.params, null, 2)}
        </pre>
      )}
      {extra}
    </li>
  );
}
