import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import type { AppStatus, PendingApproval, Priority, ToolCallView } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { PriorityBadge } from "../../components/PriorityBadge";
import { RelativeTime } from "../../components/RelativeTime";
import { StatusIcon } from "../../components/StatusIcon";
import { useNow } from "../../clock";
import { call, toIpcError } from "../../ipc";
import { CALL_STATE, FLAG_LABEL, moneyLabel } from "../../labels";
import { useSession } from "../../session/context";
import { StepUpCancelled, useStepUp } from "../../session/StepUp";
import { formatDuration, formatExact, slaLevel } from "../../time";
import { prettyParams } from "../gates/json";
import { storeCall, useApprovalHistory, usePendingApprovals } from "../gates/hooks";
import { useAppStatus } from "../queue/hooks";

type Tab = "pending" | "history";

/**
 * The supervisor's inbox: pending tool calls in the order Rust gives them (escalated first, then
 * the longest-waiting customer, then the largest amount), each with the rule that sent it here
 * and the parameters exactly as they will be sent; a history of decided and expired requests.
 */
export function ApprovalsView({ onOpenConversation }: { onOpenConversation: (handoffId: string) => void }) {
  const [tab, setTab] = useState<Tab>("pending");
  const pending = usePendingApprovals(true);
  const [decided, setDecided] = useState<{ ok: boolean; text: string } | null>(null);
  const count = pending.data?.length;
  useItemKeys(tab === "pending");

  return (
    <section className="approvals" data-testid="approvals-view" aria-label="Approvals">
      <header className="view-bar">
        <h2 className="view-bar__title">Approvals</h2>
        <div className="segmented" role="group" aria-label="Which requests">
          <button type="button" className="segmented__item" aria-pressed={tab === "pending"} data-testid="approvals-tab-pending" onClick={() => setTab("pending")}>
            Pending{count !== undefined && ` (${count})`}
          </button>
          <button type="button" className="segmented__item" aria-pressed={tab === "history"} data-testid="approvals-tab-history" onClick={() => setTab("history")}>
            History
          </button>
        </div>
        {tab === "pending" && <p className="muted small">Escalated first, then the customer waiting longest, then the largest amount.</p>}
        <span className="view-bar__spacer" />
        {decided && (
          <p className={`small ${decided.ok ? "ok-text" : "form-error"}`} role="status" data-testid="approval-decided">
            {decided.text}
            <button type="button" className="icon-button icon-button--small" aria-label="Dismiss" onClick={() => setDecided(null)}>
              ×
            </button>
          </p>
        )}
      </header>
      <div className="approvals__body">
        {tab === "pending" ? (
          <PendingList q={pending} onOpenConversation={onOpenConversation} onDecided={setDecided} />
        ) : (
          <History onOpenConversation={onOpenConversation} />
        )}
      </div>
    </section>
  );
}

/** j / k move between the requests (the focused one scrolls into view). */
function useItemKeys(active: boolean) {
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || (e.key !== "j" && e.key !== "k")) return;
      const t = e.target;
      if (t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return;
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      const items = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="approval-item"]'));
      if (items.length === 0) return;
      e.preventDefault();
      const at = items.findIndex((i) => i.contains(document.activeElement));
      const next = at === -1 ? 0 : Math.min(items.length - 1, Math.max(0, at + (e.key === "j" ? 1 : -1)));
      items[next]!.focus();
      items[next]!.scrollIntoView?.({ block: "nearest" });
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [active]);
}

function PendingList({
  q,
  onOpenConversation,
  onDecided,
}: {
  q: ReturnType<typeof usePendingApprovals>;
  onOpenConversation: (handoffId: string) => void;
  onDecided: (d: { ok: boolean; text: string }) => void;
}) {
  const status = useAppStatus().data;
  if (q.isPending) return <p className="muted state">Loading the pending requests…</p>;
  if (q.isError) return <ErrorState title="Could not load the pending requests" error={q.error} onRetry={() => void q.refetch()} />;
  if (q.data.length === 0) {
    return (
      <EmptyState title="Nothing waiting for approval" testId="approvals-empty">
        <p>Requests that need a supervisor show here as soon as an agent proposes them.</p>
      </EmptyState>
    );
  }
  return (
    <ol className="approvals__list" aria-label="Pending requests">
      {q.data.map((p) => (
        <li key={p.call.id}>
          <ApprovalItem item={p} fetchedAt={q.dataUpdatedAt} status={status} onOpenConversation={onOpenConversation} onDecided={onDecided} />
        </li>
      ))}
    </ol>
  );
}

/**
 * The requester's username for the hooks. `ToolCallView` names the requester but has no
 * username: the demo accounts map display names to usernames; otherwise the first word.
 */
function requesterUsername(c: ToolCallView, _status: AppStatus | undefined): string {
  return c.requested_by_username;
}

const SLA_KEY: Record<Priority, keyof AppStatus["sla"]> = { urgent: "urgent_secs", high: "high_secs", normal: "normal_secs", low: "low_secs" };

function ApprovalItem({
  item,
  fetchedAt,
  status,
  onOpenConversation,
  onDecided,
}: {
  item: PendingApproval;
  fetchedAt: number;
  status: AppStatus | undefined;
  onOpenConversation: (handoffId: string) => void;
  onDecided: (d: { ok: boolean; text: string }) => void;
}) {
  const c = item.call;
  const id = useId();
  const client = useQueryClient();
  const stepUp = useStepUp();
  const { actor, info } = useSession();
  const now = useNow();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const what = c.amount !== null ? `${c.tool_title} of ${moneyLabel(c.amount, c.currency)}` : c.tool_title;
  // what Rust measured, plus the time since it answered
  const since = Math.max(0, now - fetchedAt);
  const customerWait = item.customer_waiting_ms + since;
  const requestWait = item.request_waiting_ms + since;
  const sla = status?.sla[SLA_KEY[item.priority]];
  const customerLevel = sla !== undefined ? slaLevel(customerWait, sla) : "ok";

  const approve = useMutation({
    mutationFn: () => {
      const stepped = info.stepped_up_until_ms !== null && info.stepped_up_until_ms > Date.now();
      return stepUp.run(
        `Approving ${what} needs your password again.`,
        // the hash of exactly the parameters on screen: Rust refuses if they changed since
        () => call("approve_tool_call", { callId: c.id, paramsSha256: c.params_sha256 }),
        { askFirst: item.needs_step_up && !stepped },
      );
    },
    onMutate: () => setError(null),
    onSuccess: (v) => {
      storeCall(client, v);
      onDecided({ ok: true, text: `✓ Approved ${what} for ${item.customer}: it runs now.` });
    },
    onError: (e) => {
      if (!(e instanceof StepUpCancelled)) setError(toIpcError(e).message);
    },
  });
  const deny = useMutation({
    mutationFn: () => call("deny_tool_call", { callId: c.id, reason: reason.trim() }),
    onMutate: () => setError(null),
    onSuccess: (v) => {
      storeCall(client, v);
      onDecided({ ok: true, text: `Denied ${what} for ${item.customer}. ${c.requested_by} sees your reason.` });
    },
    onError: (e) => setError(toIpcError(e).message),
  });
  const busy = approve.isPending || deny.isPending;

  return (
    <article
      className={`appr${c.escalated_at_ms !== null ? " appr--escalated" : ""}${item.overdue ? " appr--overdue" : ""}`}
      data-testid="approval-item"
      data-call-id={c.id}
      data-requested-by={requesterUsername(c, status)}
      data-requested-by-id={c.requested_by_id}
      aria-labelledby={`${id}-title`}
      tabIndex={-1}
    >
      <header className="appr__head">
        {c.escalated_at_ms !== null && (
          <span className="badge badge--escalated" title={`Escalated by the requester ${formatExact(c.escalated_at_ms)}`}>
            ⚑ Escalated
          </span>
        )}
        <h3 className="appr__title" id={`${id}-title`}>
          {c.amount !== null && <span className="appr__amount">{moneyLabel(c.amount, c.currency)}</span>}
          <span className="appr__tool">{c.tool_title}</span>
          <span className="mono muted appr__toolname">{c.tool}</span>
        </h3>
        <PriorityBadge priority={item.priority} />
        <span className="appr__spacer" />
        <span className={`appr__wait wait--${customerLevel}`} title={`The customer has waited since the escalation${sla ? ` (SLA ${formatDuration(sla * 1000)})` : ""}`}>
          Customer waiting <strong>{formatDuration(customerWait)}</strong>
          {customerLevel === "breach" && <span className="wait__word"> past SLA</span>}
        </span>
        <span className={`appr__wait${item.overdue ? " wait--breach" : ""}`} data-testid="approval-request-wait" data-overdue={item.overdue}>
          Request waiting <strong>{formatDuration(requestWait)}</strong>
          {item.overdue && <span className="wait__word"> ⚠ overdue</span>}
        </span>
      </header>
      <div className="appr__body">
        <div className="appr__context">
          <dl className="kv appr__kv">
            <dt>Why</dt>
            <dd data-testid="approval-rule">
              <span className="rule-id mono" title={`Policy ${c.policy_version} (${c.policy_sha256.slice(0, 12)}…)`}>
                {c.rule_id}
              </span>{" "}
              {c.rule_reason}
              {c.rule_matched.length > 0 && (
                <ul className="appr__matched" aria-label="Conditions that matched">
                  {c.rule_matched.map((m) => (
                    <li key={m}>{m}</li>
                  ))}
                </ul>
              )}
            </dd>
            {c.flags.length > 0 && (
              <>
                <dt>Flags</dt>
                <dd className="appr__flags">
                  {c.flags.map((f) => (
                    <span key={f} className="chip chip--flag" data-testid="approval-flag" data-flag={f} title={FLAG_LABEL[f].hint}>
                      ⚑ {FLAG_LABEL[f].word}
                    </span>
                  ))}
                </dd>
              </>
            )}
            <dt>Requested</dt>
            <dd>
              <strong>{c.requested_by}</strong>
              {c.requested_by_id === actor.user_id && <span className="muted"> (you)</span>}
              {c.origin === "bot" && <span className="muted"> · forwarded from the bot</span>} · <RelativeTime atMs={c.created_at_ms} />
            </dd>
            <dt>Customer</dt>
            <dd>
              {item.customer} · <span className="mono">{item.intent}</span> ·{" "}
              <button type="button" className="link-button" data-testid="approval-open-conversation" onClick={() => onOpenConversation(c.handoff_id)}>
                Open the conversation
              </button>
            </dd>
          </dl>
          <p className="appr__summary" title="The bot's summary of the conversation">
            {item.summary}
          </p>
        </div>
        <div className="appr__send">
          <h4 className="ctx__label">Will be sent exactly</h4>
          <pre className="appr__params" data-testid="approval-params">{`${c.request_line}\n${prettyParams(c.params)}`}</pre>
          <p className="appr__hash muted" title={`SHA-256 of the parameters: ${c.params_sha256}. Approving binds the approval to it.`}>
            params <span className="mono">{c.params_sha256.slice(0, 12)}</span> · policy <span className="mono">{c.policy_version}</span>
          </p>
          <div className="appr__decide">
            <button type="button" className="button button--primary" data-testid="approve-button" disabled={busy} onClick={() => approve.mutate()}>
              {approve.isPending ? "Approving…" : "Approve"}
              {item.needs_step_up && !approve.isPending && <span className="appr__stepup"> · asks your password</span>}
            </button>
            <label className="visually-hidden" htmlFor={`${id}-reason`}>
              Reason for denying (the requester sees it)
            </label>
            <textarea
              id={`${id}-reason`}
              className="input textarea appr__reason"
              data-testid="deny-reason"
              rows={1}
              placeholder="Reason for denying (required; the requester sees it)"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
            <button
              type="button"
              className="button"
              data-testid="deny-button"
              disabled={busy || reason.trim() === ""}
              title={reason.trim() === "" ? "Write a reason first" : "Deny this request"}
              onClick={() => deny.mutate()}
            >
              {deny.isPending ? "Denying…" : "Deny"}
            </button>
          </div>
          {error !== null && (
            <p className="form-error" role="alert" data-testid="approval-error">
              ⚠ {error}
            </p>
          )}
        </div>
      </div>
    </article>
  );
}

function History({ onOpenConversation }: { onOpenConversation: (handoffId: string) => void }) {
  const q = useApprovalHistory(true);
  if (q.isPending) return <p className="muted state">Loading the history…</p>;
  if (q.isError) return <ErrorState title="Could not load the history" error={q.error} onRetry={() => void q.refetch()} />;
  if (q.data.length === 0) {
    return (
      <EmptyState title="No decided requests yet" testId="approvals-history-empty">
        <p>Approved, denied and expired requests show here.</p>
      </EmptyState>
    );
  }
  return (
    <div className="approvals__history">
      <table className="table" data-testid="approval-history">
        <thead>
          <tr>
            <th scope="col">Last change</th>
            <th scope="col">Request</th>
            <th scope="col" className="num">
              Amount
            </th>
            <th scope="col">State</th>
            <th scope="col">Requested by</th>
            <th scope="col">Decided by</th>
            <th scope="col">Reason or outcome</th>
          </tr>
        </thead>
        <tbody>
          {q.data.map((c) => {
            const s = CALL_STATE[c.state];
            return (
              <tr key={c.id} data-testid="approval-history-row" data-call-id={c.id} data-state={c.state}>
                <td>
                  <RelativeTime atMs={c.updated_at_ms} />
                </td>
                <td>
                  <button type="button" className="link-button" title="Open the conversation" onClick={() => onOpenConversation(c.handoff_id)}>
                    {c.tool_title}
                  </button>{" "}
                  <span className="mono muted" title={c.rule_reason}>
                    {c.rule_id}
                  </span>
                </td>
                <td className="num mono">{c.amount !== null ? moneyLabel(c.amount, c.currency) : "—"}</td>
                <td>
                  <span className={`call-state call-state--${s.tone}`}>
                    <StatusIcon status={c.state} /> {s.word}
                  </span>
                </td>
                <td>{c.requested_by}</td>
                <td>
                  {c.decided_by ?? (c.state === "expired" ? <span className="muted">nobody (expired)</span> : "—")}
                  {c.approved_at_ms !== null && c.decided_by !== null && (
                    <span className="muted">
                      {" "}
                      · <RelativeTime atMs={c.approved_at_ms} />
                    </span>
                  )}
                </td>
                <td className="approvals__why">
                  {c.decision_reason && <span>“{c.decision_reason}”</span>}
                  {c.outcome !== null && (
                    <span className="mono small">
                      {c.http_status !== null && `HTTP ${c.http_status} · `}
                      {c.outcome}
                    </span>
                  )}
                  {!c.decision_reason && c.outcome === null && <span className="muted">—</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
