import type { ReactNode } from "react";
import type { AppStatus } from "../bindings";
import { formatClock } from "../time";

/** One quiet line: is the queue live, where the data lives, how to get help. */
export function StatusLine({
  status,
  lastEventAt,
  fetching,
  offline,
  audit,
}: {
  status: AppStatus | undefined;
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
      {status && (
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
