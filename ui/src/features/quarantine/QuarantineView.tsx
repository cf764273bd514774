import type { QuarantineEntry } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { RelativeTime } from "../../components/RelativeTime";
import { parseInstant } from "../../time";
import { useQuarantine } from "./hooks";

/** Documents that failed validation, with every reason and the raw text as received. */
export function QuarantineView({ onBack, total }: { onBack: () => void; total: number | undefined }) {
  const q = useQuarantine();
  const entries = q.data?.pages.flat() ?? [];

  let body;
  if (q.isPending) {
    body = <p className="muted state">Loading the quarantine…</p>;
  } else if (q.isError && entries.length === 0) {
    body = <ErrorState title="Could not load the quarantine" error={q.error} onRetry={() => void q.refetch()} />;
  } else if (entries.length === 0) {
    body = (
      <EmptyState title="Nothing in quarantine" testId="quarantine-empty">
        <p>Every document received so far passed validation.</p>
      </EmptyState>
    );
  } else {
    body = (
      <>
        <ol className="qlist-plain">
          {entries.map((e) => (
            <QuarantineItem key={e.id} entry={e} />
          ))}
        </ol>
        <div className="quarantine__more">
          {q.hasNextPage ? (
            <button
              type="button"
              className="button"
              disabled={q.isFetchingNextPage}
              onClick={() => void q.fetchNextPage()}
            >
              {q.isFetchingNextPage ? "Loading…" : "Load older"}
            </button>
          ) : (
            <p className="muted small">End of the quarantine.</p>
          )}
          {q.isFetchNextPageError && <p className="notice notice--error">Could not load older entries.</p>}
        </div>
      </>
    );
  }

  return (
    <section className="quarantine" aria-label="Quarantine">
      <header className="quarantine__header">
        <button type="button" className="button button--small" onClick={onBack} data-testid="back-to-desk">
          ← Back to the desk
        </button>
        <h2>
          Quarantine {total !== undefined && <span className="muted">({total.toLocaleString()})</span>}
        </h2>
        <p className="muted small">
          Documents that failed validation are kept here exactly as received; they never change a stored
          escalation. Fix them at the source and send them again.
        </p>
      </header>
      <div className="quarantine__body">{body}</div>
    </section>
  );
}

function QuarantineItem({ entry }: { entry: QuarantineEntry }) {
  return (
    <li className="qitem" data-testid="quarantine-item" data-quarantine-id={entry.id}>
      <div className="qitem__head">
        <RelativeTime atMs={parseInstant(entry.received_at)} className="qitem__when" />
        <span className="mono qitem__source" title="Source">
          {entry.source}
        </span>
        {entry.line_no !== null && <span className="mono">line {entry.line_no}</span>}
        {entry.handoff_id !== null && (
          <span className="mono" title="handoff_id">
            {entry.handoff_id}
          </span>
        )}
        <span className="muted small">{formatBytes(entry.raw_bytes)}</span>
      </div>
      <ul className="qitem__errors" aria-label="Errors">
        {entry.errors.map((er, i) => (
          <li key={i}>
            <span className="mono qitem__path">{er.path}</span> — {er.message}
          </li>
        ))}
      </ul>
      {!entry.raw_is_utf8 && (
        <p className="notice small">
          The raw bytes were not valid UTF-8; invalid sequences are shown as �. The exact bytes are kept.
        </p>
      )}
      <pre className="qitem__raw" tabIndex={0} aria-label="Raw document">
        {entry.raw_text === "" ? "(empty)" : entry.raw_text}
      </pre>
    </li>
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
