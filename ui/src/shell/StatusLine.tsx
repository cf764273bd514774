import type { ReactNode } from "react";
import type { AppStatus, ServerLink, SourceStatus } from "../bindings";
import { ServerHealth } from "./ServerLink";
import { formatClock } from "../time";

/** One quiet line: is the queue live, where the data lives, how to get help. */
export function StatusLine({
  status,
  link = null,
  lastEventAt,
  fetching,
  offline,
  audit,
}: {
  status: AppStatus | undefined;
  /** Team mode: the server this desk works on. */
  link?: ServerLink | null;
  lastEventAt: number | null;
  fetching: boolean;
  /** The back end did not answer the last count request. */
  offline: boolean;
  /** The audit chain's small indicator, for those who may see the log. */
  audit?: ReactNode;
}) {
  return (
    <footer className="statusline" role="status" aria-live="polite">
      <span className={`statusline__live${fetching ? " is-fetching" : ""}${offline ? " is-offline" : ""}`}>
        <span className="statusline__dot" aria-hidden="true" />
        {offline
          ? "Not answering: counts may be out of date"
          : fetching
            ? "Updating…"
            : lastEventAt !== null
              ? `Live · last change ${formatClock(lastEventAt)}`
              : "Live"}
      </span>
      {audit}
      {status?.demo_source && <span>Demo source on</span>}
      {status?.http_source && <SourceHealth source={status.http_source} />}
      {link && <ServerHealth link={link} />}
      {status && !link && (
        <span className="statusline__path" title={`Database: ${status.database_path}\nLogs: ${status.log_dir}`}>
          {status.database_path}
        </span>
      )}
      <span className="statusline__spacer" />
      {status && <span>v{status.version}</span>}
      <span>
        <kbd>?</kbd> shortcuts
      </span>
    </footer>
  );
}

/** The HTTP bot source: where it pulls from, and whether the last pull worked (in words, not only colour). */
function SourceHealth({ source }: { source: SourceStatus }) {
  let host = source.url;
  try {
    host = new URL(source.url).host;
  } catch {
    // not a URL: show it as it is
  }
  if (source.last_error !== null) {
    return (
      <span className="statusline__source statusline__source--error" data-testid="source-status" data-state="error" title={`${source.url}\n${source.last_error}`}>
        <span aria-hidden="true">⚠ </span>Bot source {host}: {source.last_error}
      </span>
    );
  }
  return (
    <span className="statusline__source" data-testid="source-status" data-state={source.last_ok_ms !== null ? "ok" : "waiting"} title={source.url}>
      Bot source {host}
      {source.last_ok_ms !== null ? ` · pulled ${formatClock(source.last_ok_ms)}` : " · connecting…"}
    </span>
  );
}
