import { useEffect, useRef, useState } from "react";
import type { AttemptedAction, ToolCallView } from "../../bindings";
import { RelativeTime } from "../../components/RelativeTime";
import { StatusIcon } from "../../components/StatusIcon";
import { useNow } from "../../clock";
import { toIpcError } from "../../ipc";
import { CALL_STATE, FLAG_LABEL, moneyLabel } from "../../labels";
import { useSession } from "../../session/context";
import { prettyParams, sortedJson } from "./json";
import { useCallAction, usePropose, useTools, useToolCalls } from "./hooks";
import type { ProposeSeed } from "./ProposeForm";

/**
 * How long a request waits before its requester may escalate it. Mirrors the gate's
 * `pending_sla_ms` (5 minutes) only to decide when to show the button: Rust decides whether the
 * escalation is allowed, and its refusal is shown.
 */

/** The tool calls made from the desk on this escalation, oldest first, with what can be done. */
export function ToolCallList({ handoffId, highlightId }: { handoffId: string; highlightId: string | null }) {
  const q = useToolCalls(handoffId);
  if (q.isPending) return <p className="muted small">Loading the tool calls…</p>;
  if (q.isError) {
    return (
      <p className="form-error small" role="alert">
        ⚠ Could not load the tool calls: {toIpcError(q.error).message}{" "}
        <button type="button" className="link-button" onClick={() => void q.refetch()}>
          Retry
        </button>
      </p>
    );
  }
  if (q.data.length === 0) return <p className="muted small">No tool calls from the desk yet.</p>;
  return (
    <ol className="ledger ledger--calls" aria-label="Tool calls from the desk">
      {q.data.map((c) => (
        <ToolCallItem key={c.id} call={c} highlight={c.id === highlightId} />
      ))}
    </ol>
  );
}

/** What the state means for the agent, in one line. */
function stateLine(c: ToolCallView): string {
  switch (c.state) {
    case "proposed":
      return `Confirm to run it. ${c.rule_reason}`;
    case "pending":
      return `Waiting for a supervisor: ${c.rule_reason}`;
    case "approved":
      return c.decision === "allow" ? `Allowed by the policy: ${c.rule_reason} Running now.` : "Running now.";
    case "executing":
      return c.attempts > 1 ? `Sending (attempt ${c.attempts})…` : "Sending…";
    case "succeeded":
      return "Done.";
    case "failed":
      return c.retryable ? "The backend did not complete it; it can be retried with the same key." : "The backend refused it; it cannot be retried.";
    case "denied":
      return c.decided_by !== null ? `Denied by ${c.decided_by}: ${c.decision_reason ?? "no reason given"}` : `Denied by the policy: ${c.rule_reason}`;
    case "expired":
      return "Expired: nobody decided in time. Propose it again if it is still needed.";
  }
}

function ToolCallItem({ call: c, highlight }: { call: ToolCallView; highlight: boolean }) {
  const { can, actor } = useSession();
  const now = useNow();
  const [open, setOpen] = useState(false);
  const confirm = useCallAction("confirm");
  const retry = useCallAction("retry");
  const escalate = useCallAction("escalate");
  const item = useRef<HTMLLIElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const s = CALL_STATE[c.state];
  const mayAct = can("propose_tool_calls");
  const error = [confirm, retry, escalate].find((m) => m.isError)?.error;
  const busy = confirm.isPending || retry.isPending || escalate.isPending;

  // a call just proposed from the form: bring it into view, and its Confirm under the cursor
  useEffect(() => {
    if (!highlight) return;
    item.current?.scrollIntoView?.({ block: "nearest" });
    confirmButton.current?.focus();
  }, [highlight]);

  const showConfirm = mayAct && c.state === "proposed" && c.decision === "confirm";
  const showRetry = mayAct && c.state === "failed" && c.retryable;
  const showEscalate = mayAct && c.state === "pending" && c.escalated_at_ms === null && c.escalatable_at_ms !== null && now >= c.escalatable_at_ms;
  const mine = c.requested_by_id === actor.user_id;

  return (
    <li
      ref={item}
      className={`ledger__item call call--${s.tone}${highlight ? " is-new" : ""}`}
      data-testid="tool-call"
      data-call-id={c.id}
      data-state={c.state}
    >
      <div className="ledger__head">
        <span className="ledger__tool" title={c.tool}>
          {c.tool_title}
        </span>
        {c.amount !== null && <span className="call__amount">{moneyLabel(c.amount, c.currency)}</span>}
        <RelativeTime className="ledger__time" atMs={c.created_at_ms} />
      </div>
      <p className="ledger__line">
        <span className="ledger__status" data-testid="tool-call-state">
          <StatusIcon status={c.state} />
          <span className="ledger__word">{s.word}</span>
        </span>
        <span className="ledger__dash" aria-hidden="true">
          —{" "}
        </span>
        <span className="call__line">{stateLine(c)}</span>
      </p>
      {c.flags.length > 0 && (c.state === "proposed" || c.state === "pending" || c.state === "denied") && (
        <p className="call__flags">
          {c.flags.map((f) => (
            <span key={f} className="chip chip--flag" title={FLAG_LABEL[f].hint}>
              ⚑ {FLAG_LABEL[f].word}
            </span>
          ))}
        </p>
      )}
      <dl className="call__facts">
        <dt>Requested</dt>
        <dd>
          {c.requested_by}
          {mine && <span className="muted"> (you)</span>}
          {c.origin === "bot" && <span className="muted"> · for the bot</span>} · <RelativeTime atMs={c.created_at_ms} />
        </dd>
        <dt>Rule</dt>
        <dd>
          <span className="mono">{c.rule_id}</span>
          {c.state !== "pending" && c.state !== "proposed" && c.state !== "denied" && <span className="muted"> · {c.rule_reason}</span>}
        </dd>
        {c.approved_by !== null && c.decision !== "allow" && (
          <>
            <dt>{c.decision === "confirm" ? "Confirmed" : "Approved"}</dt>
            <dd>
              {c.approved_by}
              {c.approved_at_ms !== null && (
                <>
                  {" "}
                  · <RelativeTime atMs={c.approved_at_ms} />
                </>
              )}
            </dd>
          </>
        )}
        {c.state === "denied" && c.decided_by !== null && (
          <>
            <dt>Denied</dt>
            <dd>
              {c.decided_by} · <RelativeTime atMs={c.updated_at_ms} />
            </dd>
          </>
        )}
        {c.escalated_at_ms !== null && (
          <>
            <dt>Escalated</dt>
            <dd>
              to every supervisor · <RelativeTime atMs={c.escalated_at_ms} />
            </dd>
          </>
        )}
        {(c.http_status !== null || c.attempts > 0) && (
          <>
            <dt>Result</dt>
            <dd>
              {c.http_status !== null ? <span className="mono">HTTP {c.http_status}</span> : <span className="muted">no answer</span>} · {c.attempts}{" "}
              {c.attempts === 1 ? "attempt" : "attempts"}
            </dd>
          </>
        )}
      </dl>
      {c.outcome !== null && (
        <p className="call__outcome mono" data-testid="tool-call-outcome">
          {c.outcome}
        </p>
      )}
      {(showConfirm || showRetry || showEscalate) && (
        <div className="call__actions">
          {showConfirm && (
            <button
              ref={confirmButton}
              type="button"
              className="button button--small button--primary"
              data-testid="tool-call-confirm"
              disabled={busy}
              onClick={() => confirm.mutate(c.id)}
            >
              {confirm.isPending ? "Confirming…" : "Confirm"}
            </button>
          )}
          {showRetry && (
            <button type="button" className="button button--small" data-testid="tool-call-retry" disabled={busy} onClick={() => retry.mutate(c.id)} title="Send it again with the same idempotency key: the backend runs it at most once">
              {retry.isPending ? "Retrying…" : "Retry"}
            </button>
          )}
          {showEscalate && (
            <button type="button" className="button button--small" data-testid="tool-call-escalate" disabled={busy} onClick={() => escalate.mutate(c.id)} title="Put it first in every supervisor's inbox">
              {escalate.isPending ? "Escalating…" : "Escalate"}
            </button>
          )}
        </div>
      )}
      {error !== undefined && error !== null && (
        <p className="form-error small" role="alert" data-testid="tool-call-error">
          ⚠ {toIpcError(error).message}
        </p>
      )}
      <button type="button" className="link-button ledger__toggle" aria-expanded={open} data-testid="tool-call-params-toggle" onClick={() => setOpen((o) => !o)}>
        <span aria-hidden="true">{open ? "▾" : "▸"}</span> Request as sent ({Object.keys(c.params).length} {Object.keys(c.params).length === 1 ? "param" : "params"})
      </button>
      {open && (
        <pre className="ledger__params" data-testid="tool-call-params">
          {`${c.request_line}\n${prettyParams(c.params)}`}
        </pre>
      )}
    </li>
  );
}

/**
 * Beside a bot's pending attempted action whose tool the desk knows: forward it for approval
 * with the bot's parameters (or show that it was forwarded already).
 */
export function ForwardControl({
  action,
  handoffId,
  onEdit,
}: {
  action: AttemptedAction;
  handoffId: string;
  onEdit: (seed: ProposeSeed) => void;
}) {
  const { can } = useSession();
  const mayPropose = can("propose_tool_calls");
  const tools = useTools(mayPropose && action.status === "pending");
  const calls = useToolCalls(mayPropose && action.status === "pending" ? handoffId : null);
  const propose = usePropose();
  if (!mayPropose || action.status !== "pending" || !tools.data?.some((t) => t.name === action.tool)) return null;
  const key = sortedJson(action.params);
  const forwarded = calls.data?.find((c) => c.origin === "bot" && c.tool === action.tool && sortedJson(c.params) === key);
  if (forwarded) {
    return (
      <p className="small muted" data-testid="action-forwarded">
        → Forwarded: {CALL_STATE[forwarded.state].word} (see the desk’s tool calls below)
      </p>
    );
  }
  const error = propose.isError ? toIpcError(propose.error) : null;
  return (
    <div className="forward">
      <button
        type="button"
        className="button button--small"
        data-testid="forward-action"
        disabled={propose.isPending}
        onClick={() => propose.mutate({ handoff_id: handoffId, tool: action.tool, params: action.params, origin: "bot", fraud_suspected: false })}
      >
        {propose.isPending ? "Forwarding…" : "Forward for approval"}
      </button>
      {error && (
        <p className="form-error small" role="alert" data-testid="forward-error">
          ⚠ {error.message}{" "}
          {error.kind === "invalid_input" && (
            <button type="button" className="link-button" onClick={() => onEdit({ handoffId, tool: action.tool, params: action.params, origin: "bot" })}>
              Fix the values in the form…
            </button>
          )}
        </p>
      )}
    </div>
  );
}
