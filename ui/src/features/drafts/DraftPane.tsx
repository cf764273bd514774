import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from "react";
import type { ConfidenceBands, DraftDecision, DraftView, HandoffDetail, RejectReason } from "../../bindings";
import { ConfidenceBar } from "../../components/ConfidenceBar";
import { KIND_HINT } from "../../components/ErrorState";
import { toIpcError } from "../../ipc";
import { useAppStatus } from "../queue/hooks";
import { draftKeys, useDecideDraft, useDraftFor, useDraftsOf, useDraftStream } from "./hooks";
import {
  FLAG_TEXT,
  REJECT_REASONS,
  REJECT_REASON_LABEL,
  STATE_LABEL,
  bandOf,
  engineLabel,
  lastCustomerTurn,
  rejectReasonText,
} from "./labels";
import { SourceChips } from "./SourceChips";
import { useDraftKeys } from "./useDraftKeys";
import "./drafts.css";

export const STALE_NOTICE = "The customer wrote again — a fresh draft answers the new message.";

/**
 * The DRAFT area under the transcript: the draft answering the customer's latest message,
 * streamed in as it is written, with its sources, confidence, engine and warnings; Approve (a),
 * Edit (e) or Reject (r). Shown to users who may reply to customers.
 */
export function DraftPane({ detail }: { detail: HandoffDetail }) {
  const client = useQueryClient();
  const handoffId = detail.handoff.handoff_id;
  const turn = lastCustomerTurn(detail.handoff.transcript);
  const [round, setRound] = useState(0);
  // The draft a fresh one replaces (the customer wrote again), shown until the fresh one starts.
  const [stale, setStale] = useState<DraftView | null>(null);
  const [renewed, setRenewed] = useState(false);
  const q = useDraftFor(handoffId, turn, round);
  const streamed = useDraftStream(handoffId, turn, round);
  const list = useDraftsOf(handoffId);
  const bands = useAppStatus().data?.bands ?? null;
  const current = q.data;

  const shown = useRef<DraftView | null>(null);
  useEffect(() => {
    if (current) shown.current = current;
    if (current && stale && current.id !== stale.id) setStale(null);
    // The Rust side saw a newer customer message than the transcript on screen: catch up.
    if (current && current.turn_index > turn) void client.invalidateQueries({ queryKey: ["handoff", handoffId] });
  }, [current, stale, turn, client, handoffId]);

  // A new customer message arrived in the transcript: the ready draft on screen answers an older one.
  useEffect(() => {
    const last = shown.current;
    if (last && last.state === "ready" && last.turn_index < turn) {
      setStale({ ...last, state: "stale" });
      setRenewed(true);
    }
  }, [turn]);

  // What the Rust side says about the draft now (drafts-changed, a conflict): decided elsewhere,
  // or stale. A draft only ever leaves "ready", so an older answer never undoes a decision.
  useEffect(() => {
    if (!current || current.state !== "ready" || !list.data) return;
    const now = list.data.find((d) => d.id === current.id);
    if (!now || now.state === "ready") return;
    if (now.state === "stale") {
      setStale(now);
      setRenewed(true);
      setRound((r) => r + 1);
      void client.invalidateQueries({ queryKey: ["handoff", handoffId] });
    } else {
      client.setQueryData<DraftView | null>(draftKeys.draft(handoffId, turn, round), now);
    }
  }, [list.data, current, client, handoffId, turn, round]);

  let body: ReactNode;
  if (q.isError) {
    const e = toIpcError(q.error);
    body = (
      <div className="draft__failed" role="alert" data-testid="draft-error">
        <p>
          <strong>Could not draft a reply.</strong> {e.message}
        </p>
        <p className="muted small">{KIND_HINT[e.kind]} You can always write the reply yourself.</p>
        <button type="button" className="button button--small" onClick={() => setRound((r) => r + 1)}>
          Try again
        </button>
      </div>
    );
  } else if (current === null) {
    body = <p className="draft__empty muted">The customer has not written anything yet: there is nothing to draft.</p>;
  } else if (current) {
    body = <DraftCard key={current.id} draft={current} bands={bands} handoffId={handoffId} turn={turn} round={round} answers={answered(detail, current.turn_index)} />;
  } else if (streamed !== "") {
    body = <Streaming text={streamed} />;
  } else if (stale) {
    body = <DraftCard key={stale.id} draft={stale} bands={bands} handoffId={handoffId} turn={turn} round={round} answers={answered(detail, stale.turn_index)} readOnly />;
  } else {
    body = (
      <p className="draft__waiting" aria-live="polite">
        <span className="draft__dots" aria-hidden="true" />
        <span data-testid="draft-drafting">Drafting a reply…</span>
      </p>
    );
  }

  const notice = (stale !== null && !current) || (renewed && current?.state === "ready");
  return (
    <section className="draft" data-testid="draft-pane" aria-label="Draft reply" aria-busy={current === undefined && !q.isError}>
      {notice && (
        <p className="draft__notice" role="status" data-testid="draft-stale-notice">
          {STALE_NOTICE}
          {!current && <span className="muted"> Drafting it now…</span>}
        </p>
      )}
      {body}
    </section>
  );
}

/** The customer's message a draft answers (shown above the draft: the transcript may be scrolled away). */
function answered(detail: HandoffDetail, turnIndex: number): string | null {
  const t = detail.handoff.transcript[turnIndex];
  return t && t.role === "customer" ? t.text : null;
}

/** Tokens as they arrive, with a quiet "drafting…" mark. */
function Streaming({ text }: { text: string }) {
  return (
    <div className="draft__card draft__card--streaming">
      <header className="draft__head">
        <span className="draft__title">Draft reply</span>
        <span className="draft__drafting" data-testid="draft-drafting">
          <span className="draft__dots" aria-hidden="true" />
          drafting…
        </span>
      </header>
      <div className="draft__text" data-testid="draft-text" aria-live="off">
        {text}
        <span className="draft__caret" aria-hidden="true" />
      </div>
    </div>
  );
}

type Mode = "view" | "edit" | "reject" | "confirm";

const DECIDED = new Set(["approved", "edited", "rejected"]);

function DraftCard({
  draft,
  bands,
  handoffId,
  turn,
  round,
  answers,
  readOnly,
}: {
  draft: DraftView;
  bands: ConfidenceBands | null;
  handoffId: string;
  turn: number;
  round: number;
  answers: string | null;
  readOnly?: boolean;
}) {
  const [mode, setMode] = useState<Mode>("view");
  const decide = useDecideDraft(handoffId, turn, round);
  const open = draft.state === "ready" && !readOnly;
  const decided = DECIDED.has(draft.state);
  const busy = decide.isPending;
  const mayApprove = open && !draft.is_note;

  // `busy` comes from the last render; a second key press before the next render must not send again.
  const inFlight = useRef(false);
  const send = (decision: DraftDecision) => {
    if (busy || inFlight.current) return;
    inFlight.current = true;
    decide.mutate(
      { draftId: draft.id, decision },
      {
        onSuccess: () => setMode("view"),
        onSettled: () => {
          inFlight.current = false;
        },
      },
    );
  };
  // A draft carrying a guardrail warning (desk-core says which flags are warnings) is not sent
  // by one key: the first `a` (or click) asks, the second sends; Esc steps back.
  const warnings = draft.warnings.length;
  const approve = () => {
    if (!mayApprove) return;
    if (warnings > 0 && mode !== "confirm") {
      decide.reset();
      setMode("confirm");
      return;
    }
    send({ kind: "approve" });
  };
  const startEdit = () => {
    if (!open || busy) return;
    decide.reset();
    setMode("edit");
  };
  const startReject = () => {
    if (!open || busy) return;
    decide.reset();
    setMode("reject");
  };
  const cancel = () => {
    if (busy) return; // the decision is on its way: its outcome must show
    decide.reset();
    setMode("view");
  };

  useDraftKeys(
    {
      a: mode === "view" || mode === "confirm" ? approve : undefined,
      e: mode === "view" ? startEdit : undefined,
      r: mode === "view" ? startReject : undefined,
      Escape: mode === "confirm" ? cancel : undefined,
    },
    open,
  );

  const error = decide.isError ? toIpcError(decide.error) : null;
  const flags = <Flags draft={draft} />;
  const sources = <SourceChips sources={draft.sources} />;

  return (
    <div className={`draft__card draft__card--${draft.state} draft__card--${mode}${draft.is_note ? " draft__card--note" : ""}`}>
      <header className="draft__head">
        <span className="draft__title">{draft.is_note ? "Note to you" : "Draft reply"}</span>
        <span className={`draft__state draft__state--${draft.state}`} data-testid="draft-state">
          {STATE_LABEL[draft.state]}
        </span>
        {draft.decided_by && (
          <span className="draft__by" data-testid="draft-decided-by">
            by {draft.decided_by}
          </span>
        )}
        <span className="draft__spacer" />
        <span className="draft__engine" data-testid="draft-engine" title={`Drafted in ${(draft.latency_ms / 1000).toFixed(1)} s`}>
          {engineLabel(draft)}
        </span>
        {!draft.is_note && !decided && (
          <span className="draft__confidence" title="How sure the engine is of this draft">
            {bands ? (
              <ConfidenceBar value={draft.confidence} band={bandOf(draft.confidence, bands)} label="Draft confidence" numberTestId="draft-confidence" bandTestId="draft-confidence-band" />
            ) : (
              <span className="mono" data-testid="draft-confidence">
                {draft.confidence.toFixed(2)}
              </span>
            )}
          </span>
        )}
      </header>
      {answers !== null && !decided && (
        <p className="draft__answers" title={answers} data-testid="draft-answers">
          <span className="muted">Answers </span>“{answers}”
        </p>
      )}

      {decided ? (
        // Decided: what happened, in a line; the draft itself folds away (the reply is at the
        // end of the transcript), so the transcript gets its room back.
        <>
          <Outcome draft={draft} />
          <details className="draft__more">
            <summary>
              The draft{draft.flags.length > 0 ? ` and its ${draft.flags.length === 1 ? "warning" : `${draft.flags.length} warnings`}` : ""}
            </summary>
            {flags}
            <div className="draft__text draft__text--muted" data-testid="draft-text">
              {draft.text}
            </div>
            {sources}
          </details>
        </>
      ) : (
        <>
          {flags}
          {mode === "edit" ? (
            <Editor initial={draft.is_note ? "" : draft.text} own={draft.is_note} busy={busy} onSend={(text) => send({ kind: "edit", text })} onCancel={cancel} />
          ) : (
            <div className={`draft__text${readOnly ? " draft__text--muted" : ""}`} data-testid="draft-text">
              {draft.text}
            </div>
          )}
          {sources}
          {mode === "reject" && <RejectForm busy={busy} onSubmit={(d) => send(d)} onCancel={cancel} />}
        </>
      )}

      {error && (
        <p className="draft__error" role="alert" data-testid="draft-error" data-kind={error.kind}>
          <span aria-hidden="true">⚠ </span>
          {error.message}
          {error.kind === "conflict" ? " The draft shows its current state." : ` ${KIND_HINT[error.kind]}`}
        </p>
      )}

      {open && mode === "confirm" && (
        <div className="draft__actions draft__confirm" role="group" aria-label="Confirm sending a draft with warnings" data-testid="draft-confirm">
          <p className="draft__confirm-text">
            <span aria-hidden="true">⚠ </span>
            Send this draft despite {warnings === 1 ? "its warning" : `its ${warnings} warnings`}?
          </p>
          <button type="button" className="button button--danger" data-testid="draft-confirm-send" disabled={busy} onClick={approve}>
            {busy ? "Approving…" : "Send anyway"} <kbd className="kbd--on-primary">a</kbd>
          </button>
          <button type="button" className="button" data-testid="draft-confirm-cancel" disabled={busy} onClick={cancel}>
            Go back <kbd>Esc</kbd>
          </button>
        </div>
      )}
      {open && mode === "view" && (
        <div className="draft__actions">
          {draft.is_note ? (
            <button type="button" className="button button--primary" data-testid="draft-edit" disabled={busy} onClick={startEdit}>
              Write your own reply <kbd className="kbd--on-primary">e</kbd>
            </button>
          ) : (
            <>
              <button type="button" className="button button--primary" data-testid="draft-approve" disabled={busy} onClick={approve} title="Send this draft to the customer as it is">
                {busy && decide.variables?.decision.kind === "approve" ? "Approving…" : "Approve and send"} <kbd className="kbd--on-primary">a</kbd>
              </button>
              <button type="button" className="button" data-testid="draft-edit" disabled={busy} onClick={startEdit}>
                Edit <kbd>e</kbd>
              </button>
            </>
          )}
          <button type="button" className="button" data-testid="draft-reject" disabled={busy} onClick={startReject}>
            {draft.is_note ? "Dismiss" : "Reject"} <kbd>r</kbd>
          </button>
        </div>
      )}
      {readOnly && (
        <p className="draft__waiting small">
          <span className="draft__dots" aria-hidden="true" />
          <span data-testid="draft-drafting">Drafting the fresh one…</span>
        </p>
      )}
    </div>
  );
}

/** The guardrails' warnings, in words (a coloured mark is never the only signal). */
function Flags({ draft }: { draft: DraftView }) {
  const extraError = draft.engine_error !== null && !draft.flags.includes("fell_back");
  if (draft.flags.length === 0 && !extraError) return null;
  return (
    <ul className="draft__flags" aria-label="Warnings">
      {draft.flags.map((f) => (
        <li key={f} className={`draft__flag${draft.warnings.includes(f) ? " draft__flag--warn" : ""}`} data-testid="draft-flag" data-flag={f}>
          <FlagIcon warning={draft.warnings.includes(f)} />
          <span>
            {FLAG_TEXT[f]}
            {f === "fell_back" && draft.engine_error && (
              <>
                : <span className="draft__engine-error">{draft.engine_error}</span>
              </>
            )}
          </span>
        </li>
      ))}
      {extraError && (
        <li className="draft__flag" data-testid="draft-engine-error">
          <FlagIcon warning={false} />
          <span>
            The LLM engine failed: <span className="draft__engine-error">{draft.engine_error}</span>
          </span>
        </li>
      )}
    </ul>
  );
}

function FlagIcon({ warning }: { warning: boolean }) {
  return warning ? (
    <span className="draft__flag-icon draft__flag-icon--warn" aria-hidden="true">
      ⚠
    </span>
  ) : (
    <span className="draft__flag-icon" aria-hidden="true">
      i
    </span>
  );
}

/** What became of a decided draft. */
function Outcome({ draft }: { draft: DraftView }) {
  let text: string;
  if (draft.state === "approved") text = "Sent to the customer as drafted.";
  else if (draft.state === "edited") text = "Sent to the customer with your edits.";
  else {
    const why = draft.reject_reason ? `Rejected as ${rejectReasonText(draft.reject_reason, draft.reject_note)}.` : "Rejected.";
    text = draft.sent_text !== null ? `${why} Your own reply was sent instead.` : `${why} Nothing was sent.`;
  }
  return (
    <p className="draft__outcome" data-testid="draft-outcome">
      {text}
      {draft.sent_text !== null && <span className="muted"> It shows at the end of the transcript.</span>}
    </p>
  );
}

function isSendKey(e: KeyboardEvent) {
  return e.key === "Enter" && (e.ctrlKey || e.metaKey);
}

function Editor({
  initial,
  own,
  busy,
  onSend,
  onCancel,
}: {
  initial: string;
  own: boolean;
  busy: boolean;
  onSend: (text: string) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [text, setText] = useState(initial);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
    el.closest("form")?.scrollIntoView?.({ block: "nearest" });
  }, []);
  const empty = text.trim() === "";
  const submit = () => {
    if (!empty && !busy) onSend(text);
  };
  return (
    <form
      className="draft__editor"
      {...formKeys(submit, onCancel)}
    >
      <label className="draft__label" htmlFor={`${id}-text`}>
        {own ? "Your reply to the customer" : "Edit the reply, then send it"}
      </label>
      <textarea
        id={`${id}-text`}
        ref={ref}
        className="input textarea draft__textarea"
        data-testid="draft-editor"
        value={text}
        rows={Math.min(10, Math.max(5, text.split("\n").length + 1))}
        onChange={(e) => setText(e.target.value)}
      />
      <div className="draft__form-actions">
        <span className="muted small">
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd> sends · <kbd>Esc</kbd> cancels
        </span>
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" data-testid="draft-send" disabled={empty || busy}>
          {busy ? "Sending…" : "Send to the customer"}
        </button>
      </div>
    </form>
  );
}

function RejectForm({
  busy,
  onSubmit,
  onCancel,
}: {
  busy: boolean;
  onSubmit: (d: DraftDecision) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [reason, setReason] = useState<RejectReason>("inaccurate");
  const [note, setNote] = useState("");
  const [own, setOwn] = useState("");
  const [missingNote, setMissingNote] = useState(false);
  const select = useRef<HTMLSelectElement>(null);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    select.current?.focus();
    // the whole form in sight, down to its buttons (the draft area scrolls)
    form.current?.scrollIntoView?.({ block: "nearest" });
  }, []);
  const needsNote = reason === "other";
  const submit = () => {
    if (busy) return;
    if (needsNote && note.trim() === "") {
      setMissingNote(true);
      return;
    }
    onSubmit({ kind: "reject", reason, note: note.trim() === "" ? null : note.trim(), own_reply: own.trim() === "" ? null : own.trim() });
  };
  return (
    <form
      ref={form}
      className="draft__reject"
      aria-label="Reject the draft"
      {...formKeys(submit, onCancel)}
    >
      <div className="draft__reject-row">
        <label className="draft__label" htmlFor={`${id}-reason`}>
          Why reject it?
        </label>
        <select
          id={`${id}-reason`}
          ref={select}
          data-testid="reject-reason"
          value={reason}
          onChange={(e) => {
            setReason(e.target.value as RejectReason);
            setMissingNote(false);
          }}
        >
          {REJECT_REASONS.map((r) => (
            <option key={r} value={r}>
              {REJECT_REASON_LABEL[r]}
            </option>
          ))}
        </select>
      </div>
      <div className="draft__field">
        <label className="draft__label" htmlFor={`${id}-note`}>
          Note {needsNote ? <strong className="draft__required">(required for “Other”)</strong> : <span className="muted">(optional)</span>}
        </label>
        <input
          id={`${id}-note`}
          className="input"
          data-testid="reject-note"
          value={note}
          aria-invalid={missingNote}
          aria-describedby={missingNote ? `${id}-note-err` : undefined}
          placeholder="What was wrong with it?"
          onChange={(e) => {
            setNote(e.target.value);
            setMissingNote(false);
          }}
        />
        {missingNote && (
          <p className="form-error" id={`${id}-note-err`} data-testid="reject-note-error">
            Say why the draft was rejected.
          </p>
        )}
      </div>
      <div className="draft__field">
        <label className="draft__label" htmlFor={`${id}-own`}>
          Write my own reply <span className="muted">(optional: sent to the customer instead)</span>
        </label>
        <textarea id={`${id}-own`} className="input textarea" data-testid="reject-own-reply" rows={3} value={own} onChange={(e) => setOwn(e.target.value)} />
      </div>
      <div className="draft__form-actions">
        <span className="muted small">
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd> rejects · <kbd>Esc</kbd> cancels
        </span>
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="button button--danger" data-testid="reject-submit" disabled={busy}>
          {busy ? "Rejecting…" : own.trim() !== "" ? `Reject as “${REJECT_REASON_LABEL[reason]}” and send my reply` : `Reject as “${REJECT_REASON_LABEL[reason]}”`}
        </button>
      </div>
    </form>
  );
}

/** Submit (button or Ctrl+Enter) and Esc handling shared by the editor and the reject form. */
function formKeys(submit: () => void, onCancel: () => void) {
  return {
    onSubmit: (e: FormEvent) => {
      e.preventDefault();
      submit();
    },
    onKeyDown: (e: KeyboardEvent) => {
      if (isSendKey(e)) {
        e.preventDefault();
        submit();
      } else if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        onCancel();
      }
    },
  };
}
