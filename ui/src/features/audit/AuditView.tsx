import { useEffect, useId, useState } from "react";
import type { AuditEvent, AuditFilter, AuditVerification } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { RelativeTime } from "../../components/RelativeTime";
import { call, toIpcError } from "../../ipc";
import { AUDIT_KIND_PREFIXES } from "../../labels";
import { useSession } from "../../session/context";
import { StepUpCancelled, useStepUp } from "../../session/StepUp";
import { formatClock } from "../../time";
import { savePath } from "../import/savePath";
import { useAuditList, useAuditVerify } from "./hooks";

/** Typing in the subject or actor box asks again after this pause. */
const TYPE_MS = 300;

const EMPTY: AuditFilter = { kind_prefix: null, subject: null, actor: null };
const orNull = (s: string) => (s.trim() === "" ? null : s.trim());

/**
 * The append-only audit log, newest first, with filters and keyset paging; whether its hash
 * chain verifies (Rust walks it); and, for those allowed, the export of the whole log.
 */
export function AuditView() {
  const id = useId();
  const { can } = useSession();
  const [kind, setKind] = useState("");
  const [subject, setSubject] = useState("");
  const [actor, setActor] = useState("");
  const [filter, setFilter] = useState<AuditFilter>(EMPTY);

  useEffect(() => {
    const t = setTimeout(() => setFilter({ kind_prefix: orNull(kind), subject: orNull(subject), actor: orNull(actor) }), kind !== (filter.kind_prefix ?? "") ? 0 : TYPE_MS);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [kind, subject, actor]);

  const list = useAuditList(filter);
  const events = list.data?.pages.flat() ?? [];
  const filtered = filter.kind_prefix !== null || filter.subject !== null || filter.actor !== null;

  return (
    <section className="audit" data-testid="audit-view" aria-label="Audit log">
      <header className="view-bar">
        <h2 className="view-bar__title">Audit log</h2>
        <ChainIndicator />
        <span className="view-bar__spacer" />
        {can("export_data") && <ExportAudit />}
      </header>
      <div className="view-bar view-bar--filters" role="search" aria-label="Filter the audit log">
        <label className="audit__filter">
          <span className="field__label">Kind</span>
          <select data-testid="audit-filter-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            {AUDIT_KIND_PREFIXES.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <label className="audit__filter" htmlFor={`${id}-subject`}>
          <span className="field__label">Subject</span>
          <input
            id={`${id}-subject`}
            className="input input--small mono"
            data-testid="audit-filter-subject"
            placeholder="exact id, e.g. tc_…"
            spellCheck={false}
            value={subject}
            onChange={(e) => setSubject(e.target.value)}
          />
        </label>
        <label className="audit__filter" htmlFor={`${id}-actor`}>
          <span className="field__label">Actor</span>
          <input
            id={`${id}-actor`}
            className="input input--small mono"
            data-testid="audit-filter-actor"
            placeholder="contains, e.g. sam"
            spellCheck={false}
            value={actor}
            onChange={(e) => setActor(e.target.value)}
          />
        </label>
        {filtered && (
          <button
            type="button"
            className="button button--small button--quiet"
            data-testid="audit-filter-clear"
            onClick={() => {
              setKind("");
              setSubject("");
              setActor("");
            }}
          >
            Clear filters
          </button>
        )}
        <span className="view-bar__spacer" />
        {list.isSuccess && (
          <span className="muted small" data-testid="audit-shown">
            {events.length.toLocaleString()} {events.length === 1 ? "event" : "events"} shown{list.hasNextPage ? " · older ones below" : ""}
          </span>
        )}
      </div>
      <div className={`audit__body${list.isPlaceholderData ? " is-stale" : ""}`}>
        {list.isPending ? (
          <p className="muted state">Loading the audit log…</p>
        ) : list.isError && events.length === 0 ? (
          <ErrorState title="Could not load the audit log" error={list.error} onRetry={() => void list.refetch()} />
        ) : events.length === 0 ? (
          <EmptyState title={filtered ? "No event matches these filters" : "The audit log is empty"} testId="audit-empty">
            <p>{filtered ? "Clear a filter to see more." : "Every tool call, decision and reply sent is recorded here."}</p>
          </EmptyState>
        ) : (
          <>
            <table className="table audit__table">
              <thead>
                <tr>
                  <th scope="col" className="num">
                    #
                  </th>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Payload</th>
                  <th scope="col">Hash</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <EventRow key={e.id} event={e} onSubject={setSubject} onActor={setActor} />
                ))}
              </tbody>
            </table>
            <div className="audit__more">
              {list.hasNextPage ? (
                <button type="button" className="button button--small" data-testid="audit-load-older" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                  {list.isFetchingNextPage ? "Loading…" : "Load older events"}
                </button>
              ) : (
                <span className="muted small">{filtered ? "No older matching events." : "This is the first event of the log."}</span>
              )}
              {list.isFetchNextPageError && <span className="form-error small">⚠ {toIpcError(list.error).message}</span>}
            </div>
          </>
        )}
      </div>
    </section>
  );
}

function EventRow({ event: e, onSubject, onActor }: { event: AuditEvent; onSubject: (s: string) => void; onActor: (s: string) => void }) {
  const [open, setOpen] = useState(false);
  const compact = JSON.stringify(e.payload) ?? "null";
  return (
    <tr data-testid="audit-event" data-id={e.id} data-kind={e.kind}>
      <td className="num mono muted">{e.id}</td>
      <td className="audit__time">
        <RelativeTime atMs={e.at_ms} /> <span className="muted mono">{formatClock(e.at_ms)}</span>
      </td>
      <td>
        <button type="button" className="link-button link-button--quiet mono" title="Show only this actor" onClick={() => onActor(e.actor)}>
          {e.actor}
        </button>
      </td>
      <td className="mono audit__kind" title={e.kind}>
        {e.kind}
      </td>
      <td>
        <button type="button" className="link-button link-button--quiet mono" title="Show only this subject" onClick={() => onSubject(e.subject)}>
          {e.subject}
        </button>
      </td>
      <td>
        <div className="audit__payload-cell">
          <button type="button" className="link-button ledger__toggle" aria-expanded={open} data-testid="audit-payload-toggle" onClick={() => setOpen((o) => !o)}>
            <span aria-hidden="true">{open ? "▾" : "▸"}</span>
            <span className="visually-hidden">{open ? "Hide" : "Show"} the payload</span>
          </button>
          {open ? (
            <pre className="ledger__params" data-testid="audit-payload">
              {JSON.stringify(e.payload, null, 2)}
            </pre>
          ) : (
            <code className="audit__compact" data-testid="audit-payload" title={compact.length > 160 ? compact : undefined}>
              {compact}
            </code>
          )}
        </div>
      </td>
      <td className="mono muted" title={`hash ${e.hash}\nprevious ${e.prev_hash}`} data-testid="audit-hash">
        {e.hash.slice(0, 10)}
      </td>
    </tr>
  );
}

/** ✓ verified or ✗ broken (and what to do), from Rust's walk of the chain; "Verify again". */
export function ChainIndicator() {
  const v = useAuditVerify();
  return (
    <div className="chain" aria-live="polite">
      {v.isPending ? (
        <span className="chain__state muted">Verifying the chain…</span>
      ) : v.isError ? (
        <span className="chain__state chain__state--error" role="alert">
          ⚠ Could not verify the chain: {toIpcError(v.error).message}
        </span>
      ) : v.data.ok ? (
        <span className="chain__state chain__state--ok" data-testid="audit-verified" title={`Checked ${formatClock(v.dataUpdatedAt)}`}>
          ✓ Chain verified · {v.data.events.toLocaleString()} {v.data.events === 1 ? "event" : "events"}
        </span>
      ) : (
        <span className="chain__state chain__state--broken" data-testid="audit-broken" role="alert">
          ✗ Chain broken at event {v.data.first_broken_id ?? "?"}: {v.data.problem ?? "unknown problem"}.{" "}
          <strong>Export the log and contact an admin.</strong>
        </span>
      )}
      <button type="button" className="button button--small" data-testid="audit-verify" disabled={v.isFetching} onClick={() => void v.refetch()}>
        {v.isFetching ? "Verifying…" : "Verify again"}
      </button>
    </div>
  );
}

/** The small indicator in the status line. */
export function ChainBadge({ onOpen }: { onOpen: () => void }) {
  const v = useAuditVerify();
  if (!v.data) return null;
  const d: AuditVerification = v.data;
  return (
    <button
      type="button"
      className={`statusline__chain${d.ok ? "" : " is-broken"}`}
      data-testid="audit-chain-status"
      data-ok={d.ok}
      title={d.ok ? `Audit chain verified (${d.events.toLocaleString()} events) at ${formatClock(v.dataUpdatedAt)}` : `Audit chain broken at event ${d.first_broken_id ?? "?"}: ${d.problem ?? ""}`}
      onClick={onOpen}
    >
      {d.ok ? "✓ Audit chain" : "✗ Audit chain broken"}
    </button>
  );
}

const day = (ms: number) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

function ExportAudit() {
  const stepUp = useStepUp();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: true; events: number; path: string } | { ok: false; message: string } | null>(null);
  const run = async () => {
    setResult(null);
    try {
      const path = await savePath({
        title: "Export the audit log",
        defaultPath: `handoff-desk-audit-${day(Date.now())}.jsonl`,
        filters: [{ name: "JSON Lines (*.jsonl)", extensions: ["jsonl"] }],
      });
      if (path === null) return;
      setBusy(true);
      const events = await stepUp.run("Exporting the audit log needs your password again.", () => call("audit_export", { path }));
      setResult({ ok: true, events, path });
    } catch (e) {
      if (!(e instanceof StepUpCancelled)) setResult({ ok: false, message: toIpcError(e).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="export-inline">
      <button type="button" className="button button--small" data-testid="audit-export" disabled={busy} onClick={() => void run()}>
        {busy ? "Exporting…" : "Export the log…"}
      </button>
      {result?.ok === true && (
        <span className="small ok-text" role="status" data-testid="audit-export-result">
          ✓ Wrote {result.events.toLocaleString()} events to <span className="mono">{result.path}</span>
        </span>
      )}
      {result?.ok === false && (
        <span className="small form-error" role="alert" data-testid="audit-export-error">
          ⚠ Export failed: {result.message}
        </span>
      )}
    </span>
  );
}
