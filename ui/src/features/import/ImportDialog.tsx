import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import type { ImportProgress, ImportReport } from "../../bindings";
import { ErrorState } from "../../components/ErrorState";
import { Modal } from "../../components/Modal";
import { call, on, toIpcError } from "../../ipc";
import { invalidateEverything } from "../queue/hooks";
import { pickHandoffFile } from "./filePicker";

/** Import a JSON Lines (or JSON) file: choose, watch it progress, read the report. */
export function ImportDialog({ onClose, onOpenQuarantine }: { onClose: () => void; onOpenQuarantine: () => void }) {
  const client = useQueryClient();
  const inputId = useId();
  const [path, setPath] = useState("");
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [pickError, setPickError] = useState<string | null>(null);
  const importer = useMutation({
    mutationFn: (p: string) => call("import_file", { path: p }),
    onMutate: () => setProgress(null),
    onSettled: () => invalidateEverything(client),
  });

  useEffect(() => on("import-progress", setProgress), []);

  const browse = async () => {
    setPickError(null);
    try {
      const p = await pickHandoffFile();
      if (p !== null) setPath(p);
    } catch (e) {
      setPickError(toIpcError(e).message);
    }
  };

  const running = importer.isPending;
  const canImport = path.trim() !== "" && !running;

  return (
    <Modal title="Import escalations" onClose={onClose} className="modal--import">
      <form
        className="import__form"
        onSubmit={(e) => {
          e.preventDefault();
          if (canImport) importer.mutate(path.trim());
        }}
      >
        <div className="field">
          <label className="field__label" htmlFor={inputId}>
            File: JSON Lines (one handoff/v1 document per line) or a single JSON document
          </label>
          <div className="field__row">
            <input
              id={inputId}
              type="text"
              className="input mono"
              data-testid="import-path"
              data-autofocus=""
              value={path}
              placeholder="/path/to/handoffs.jsonl"
              spellCheck={false}
              onChange={(e) => setPath(e.target.value)}
              disabled={running}
            />
            <button type="button" className="button" onClick={() => void browse()} disabled={running}>
              Browse…
            </button>
            <button type="submit" className="button button--primary" disabled={!canImport} data-testid="import-submit">
              {running ? "Importing…" : "Import"}
            </button>
          </div>
        </div>
        {pickError && <p className="notice notice--error">Could not open the file dialog: {pickError}</p>}
      </form>

      {running && <ImportProgressBar progress={progress} />}
      {importer.isError && (
        <ErrorState title="The import failed" error={importer.error} onRetry={() => importer.mutate(path.trim())} />
      )}
      {importer.isSuccess && <ImportSummary report={importer.data} onOpenQuarantine={onOpenQuarantine} />}
    </Modal>
  );
}

function ImportProgressBar({ progress }: { progress: ImportProgress | null }) {
  const total = progress?.bytes_total ?? 0;
  const done = progress?.bytes_done ?? 0;
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : null;
  return (
    <div className="import__progress" data-testid="import-progress">
      <progress max={100} value={pct ?? undefined} aria-label="Import progress" />
      <span className="small muted">
        {progress === null
          ? "Starting…"
          : `${progress.lines_done.toLocaleString()} lines${pct !== null ? ` · ${pct}%` : ""}`}
      </span>
    </div>
  );
}

function ImportSummary({ report, onOpenQuarantine }: { report: ImportReport; onOpenQuarantine: () => void }) {
  const cells: [string, number, string][] = [
    ["Lines", report.lines, ""],
    ["Accepted", report.accepted, "new escalations"],
    ["Updated", report.updated, "replaced a stored one"],
    ["Unchanged", report.unchanged, "identical replay"],
    ["Quarantined", report.quarantined, "failed validation"],
  ];
  return (
    <section className="import__report" data-testid="import-report" aria-label="Import report">
      <p className="small muted mono">{report.source}</p>
      <dl className="report">
        {cells.map(([k, v, hint]) => (
          <div key={k} className={`report__cell${k === "Quarantined" && v > 0 ? " report__cell--warn" : ""}`} data-testid={`import-${k.toLowerCase()}`}>
            <dt>{k}</dt>
            <dd>{v.toLocaleString()}</dd>
            {hint && <span className="small muted">{hint}</span>}
          </div>
        ))}
      </dl>
      {report.line_errors.length > 0 && (
        <>
          <h3 className="ctx__label">
            First errors{report.quarantined > report.line_errors.length ? ` (${report.line_errors.length} of ${report.quarantined})` : ""}
          </h3>
          <ul className="import__errors">
            {report.line_errors.map((le) => (
              <li key={le.line}>
                <span className="mono">line {le.line}</span>
                {le.handoff_id && <span className="mono muted"> {le.handoff_id}</span>}
                <ul>
                  {le.errors.map((e, i) => (
                    <li key={i}>
                      <span className="mono">{e.path}</span> — {e.message}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </>
      )}
      {report.quarantined > 0 && (
        <button type="button" className="link-button" onClick={onOpenQuarantine}>
          Open the quarantine →
        </button>
      )}
    </section>
  );
}
