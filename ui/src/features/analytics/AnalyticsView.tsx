import { useMemo, useState, type ReactNode } from "react";
import type { Analytics, AnalyticsFilter, ExportTable, IntentStats } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { call, toIpcError } from "../../ipc";
import { EXPORT_TABLE_LABEL } from "../../labels";
import { useSession } from "../../session/context";
import { StepUpCancelled, useStepUp } from "../../session/StepUp";
import { formatDuration } from "../../time";
import { savePath } from "../import/savePath";
import { CalibrationChart, DistributionChart, ReasonsChart, type DistributionRow } from "./charts";
import { DraftMetricsSection } from "./DraftMetrics";
import { RANGES, initialFilter, localDay, toAnalyticsFilter, type FilterState } from "./filter";
import { useAnalytics } from "./hooks";

const pct = (v: number | null) => (v === null ? "–" : `${Math.round(v * 100)}%`);
const num = (v: number | null, digits = 2) => (v === null ? "–" : v.toFixed(digits));

/** Escalations, ratings and calibration, with filters and exports. */
export function AnalyticsView() {
  const [fs, setFs] = useState<FilterState>(() => initialFilter(Date.now()));
  const filter = useMemo(() => toAnalyticsFilter(fs), [fs]);
  const q = useAnalytics(filter);
  const a = q.data;

  let body;
  if (q.isPending) {
    body = <p className="muted state">Loading the analytics…</p>;
  } else if (q.isError && !a) {
    body = <ErrorState title="Could not load the analytics" error={q.error} onRetry={() => void q.refetch()} />;
  } else if (a) {
    body = <Report a={a} filter={filter} stale={q.isPlaceholderData} />;
  }

  return (
    // The hook marks the view once its numbers are there (end-to-end tests read them at once).
    <section className="analytics" data-testid={a ? "analytics-view" : "analytics-loading"} aria-label="Analytics" aria-busy={q.isFetching}>
      <header className="analytics__bar">
        <h2 className="analytics__title">Analytics</h2>
        <div className="segmented" role="group" aria-label="Escalated">
          {RANGES.map((r) => (
            <button
              key={r.value}
              type="button"
              className="segmented__item"
              aria-pressed={fs.range === r.value}
              title={r.title}
              data-testid={`range-${r.value}`}
              onClick={() => setFs((s) => ({ ...s, range: r.value, anchorMs: Date.now() }))}
            >
              {r.label}
            </button>
          ))}
        </div>
        {fs.range === "custom" && (
          <span className="analytics__dates">
            <label>
              <span className="visually-hidden">From</span>
              <input type="date" className="input input--small" aria-label="From" data-testid="range-from" value={fs.from} max={fs.to || undefined} onChange={(e) => setFs((s) => ({ ...s, from: e.target.value }))} />
            </label>
            <span className="muted">to</span>
            <label>
              <span className="visually-hidden">To</span>
              <input type="date" className="input input--small" aria-label="To" data-testid="range-to" value={fs.to} min={fs.from || undefined} onChange={(e) => setFs((s) => ({ ...s, to: e.target.value }))} />
            </label>
          </span>
        )}
        <select aria-label="Intent" data-testid="analytics-intent" value={fs.intent} onChange={(e) => setFs((s) => ({ ...s, intent: e.target.value }))}>
          <option value="">All intents</option>
          {withSelected(a?.all_intents ?? [], fs.intent).map((i) => (
            <option key={i} value={i}>
              {i}
            </option>
          ))}
        </select>
        <select aria-label="Bot version" data-testid="analytics-version" value={fs.version} onChange={(e) => setFs((s) => ({ ...s, version: e.target.value }))}>
          <option value="">All bot versions</option>
          {withSelected(a?.all_bot_versions ?? [], fs.version).map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button button--small button--quiet"
          onClick={() => {
            setFs((s) => ({ ...s, anchorMs: Date.now() }));
            void q.refetch();
          }}
          disabled={q.isFetching}
          title="Fetch the numbers again"
        >
          {q.isFetching ? "Updating…" : "Refresh"}
        </button>
        <span className="topbar__spacer" />
        <ExportBar filter={filter} />
      </header>
      <div className="analytics__body">{body}</div>
    </section>
  );
}

function withSelected(list: string[], selected: string): string[] {
  return selected === "" || list.includes(selected) ? list : [selected, ...list];
}

function Report({ a, filter, stale }: { a: Analytics; filter: AnalyticsFilter; stale: boolean }) {
  const ratedIntents = a.by_intent.filter((i) => i.rated > 0);
  const ratedVersions = a.by_version.filter((v) => v.rated > 0);
  const intentRows: DistributionRow[] = ratedIntents.map((i) => ({
    name: i.intent,
    rated: i.rated,
    avgOverall: i.avg_overall,
    intentCorrect: i.intent_correct_share,
    counts: i.overall_counts,
  }));
  const versionRows: DistributionRow[] = ratedVersions.map((v) => ({
    name: v.bot_version,
    rated: v.rated,
    avgOverall: v.avg_overall,
    intentCorrect: v.intent_correct_share,
    counts: v.overall_counts,
  }));
  const ttc = a.time_to_claim;
  const ttr = a.time_to_first_response;
  const { can } = useSession();
  return (
    <div className={`analytics__report${stale ? " is-stale" : ""}`} aria-busy={stale}>
      <dl className="kpis">
        <Kpi label="Escalations" value={a.escalations.toLocaleString()} testId="analytics-escalations" />
        <Kpi label="Ratings" value={a.rated.toLocaleString()} testId="analytics-rated-count" hint={a.escalations > 0 ? `${pct(Math.min(1, a.rated / a.escalations))} of escalations` : undefined} />
        <Kpi label="Calibration error (ECE)" value={num(a.calibration.ece, 3)} hint={a.calibration.ece === null ? "no ratings yet" : "0 = perfectly calibrated"} />
        <Kpi
          label="Time to claim"
          value={ttc.p50_secs === null ? "–" : formatDuration(ttc.p50_secs * 1000)}
          hint={ttc.p90_secs === null ? "none claimed" : `median · p90 ${formatDuration(ttc.p90_secs * 1000)} · ${ttc.claimed.toLocaleString()} claimed`}
        />
        <Kpi
          label="Time to first reply"
          value={ttr.p50_secs === null ? "–" : formatDuration(ttr.p50_secs * 1000)}
          hint={ttr.p90_secs === null ? "no replies sent" : `median · p90 ${formatDuration(ttr.p90_secs * 1000)} · ${ttr.claimed.toLocaleString()} answered`}
          testId="analytics-first-reply"
        />
      </dl>

      {a.tools.length > 0 && (
        <section className="tool-stats" data-testid="analytics-tools">
          <h3>Tool calls: success and approval latency</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">Tool</th>
                <th scope="col">Calls</th>
                <th scope="col">Succeeded</th>
                <th scope="col">Failed</th>
                <th scope="col">Denied</th>
                <th scope="col">Success rate</th>
                <th scope="col">Median time to approval</th>
              </tr>
            </thead>
            <tbody>
              {a.tools.map((t) => (
                <tr key={t.tool} data-testid="analytics-tool-row" data-tool={t.tool}>
                  <td><code>{t.tool}</code></td>
                  <td>{t.calls.toLocaleString()}</td>
                  <td>{t.succeeded.toLocaleString()}</td>
                  <td>{t.failed.toLocaleString()}</td>
                  <td>{t.denied.toLocaleString()}</td>
                  <td>{t.success_rate === null ? "–" : pct(t.success_rate)}</td>
                  <td>{t.median_approval_secs === null ? "–" : formatDuration(t.median_approval_secs * 1000)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <div className="charts">
        <ChartCard title="Escalations by reason, per day (UTC)" testId="chart-reasons" table="by_day_reason" filter={filter} wide>
          {a.by_day_reason.length === 0 ? (
            <EmptyState title="No escalations in this range" testId="reasons-empty">
              <p>Widen the date range or clear the intent and version filters.</p>
            </EmptyState>
          ) : (
            <ReasonsChart rows={a.by_day_reason} />
          )}
        </ChartCard>

        {a.calibration.rated === 0 ? (
          <ChartCard title="Calibration" testId="calibration-card" table="calibration" filter={filter}>
            <EmptyState title="Rate handoffs to see calibration" testId="calibration-empty">
              <p>
                Once team leads rate handoffs, this shows how often the bot’s intent was right at each confidence level.
                Open an escalation on the desk and press <kbd>u</kbd> to rate the next one.
              </p>
            </EmptyState>
          </ChartCard>
        ) : (
          <ChartCard
            title={`Calibration · ECE ${num(a.calibration.ece, 3)}`}
            testId="chart-calibration"
            table="calibration"
            filter={filter}
            note={`${a.calibration.rated.toLocaleString()} ratings. Below the diagonal the bot is over-confident.`}
          >
            <CalibrationChart calibration={a.calibration} />
          </ChartCard>
        )}

        {intentRows.length === 0 ? (
          <ChartCard title="Ratings by intent" testId="ratings-intent-card" table="by_intent" filter={filter}>
            <EmptyState title="No ratings in this range" testId="ratings-empty">
              <p>Ratings by intent appear once handoffs in this range are rated.</p>
            </EmptyState>
          </ChartCard>
        ) : (
          <ChartCard title="Ratings by intent (overall 1–5)" testId="chart-ratings-intent" table="by_intent" filter={filter} note="Right: average overall · number of ratings.">
            <DistributionChart rows={intentRows} />
          </ChartCard>
        )}

        {versionRows.length > 0 && (
          <ChartCard title="Ratings by bot version (overall 1–5)" testId="chart-ratings-version" table="by_version" filter={filter}>
            <DistributionChart rows={versionRows} nameWidth={96} />
          </ChartCard>
        )}

        <ChartCard title="Per intent" testId="intent-card" table="by_intent" filter={filter} wide={versionRows.length === 0}>
          <IntentTable rows={a.by_intent} />
        </ChartCard>

        {can("view_analytics") && <DraftMetricsSection />}
      </div>
    </div>
  );
}

function Kpi({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="kpi">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
      {hint && <span className="kpi__hint">{hint}</span>}
    </div>
  );
}

function ChartCard({
  title,
  testId,
  table,
  filter,
  note,
  wide,
  children,
}: {
  title: string;
  testId: string;
  table: ExportTable;
  filter: AnalyticsFilter;
  note?: string;
  wide?: boolean;
  children: ReactNode;
}) {
  const { can } = useSession();
  return (
    <section className={`chart${wide ? " chart--wide" : ""}`} data-testid={testId} aria-label={title}>
      <header className="chart__header">
        <h3 className="chart__title">{title}</h3>
        {can("export_data") && <ExportButton table={table} filter={filter} compact />}
      </header>
      {note && <p className="chart__note">{note}</p>}
      {children}
    </section>
  );
}

function IntentTable({ rows }: { rows: IntentStats[] }) {
  if (rows.length === 0) return <p className="muted small">No escalations in this range.</p>;
  return (
    <table className="table" data-testid="intent-table">
      <thead>
        <tr>
          <th scope="col">Intent</th>
          <th scope="col" className="num">Escalations</th>
          <th scope="col" className="num" title="Average bot confidence">Confidence</th>
          <th scope="col" className="num">Rated</th>
          <th scope="col" className="num" title="Average overall rating, 1 to 5">Overall</th>
          <th scope="col" className="num" title="Share of ratings that found the intent right">Intent right</th>
          <th scope="col" className="num" title="Share of ratings that found the summary accurate">Summary right</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.intent} data-testid="intent-table-row" data-intent={r.intent}>
            <th scope="row" className="mono">{r.intent}</th>
            <td className="num">{r.escalations.toLocaleString()}</td>
            <td className="num">{r.avg_confidence.toFixed(2)}</td>
            <td className="num">{r.rated.toLocaleString()}</td>
            <td className="num">{num(r.avg_overall, 1)}</td>
            <td className="num">{pct(r.intent_correct_share)}</td>
            <td className="num">{pct(r.summary_accurate_share)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// ------------------------------------------------------------------ export

type ExportResult = { ok: true; bytes: number; path: string } | { ok: false; message: string } | null;

function formatBytes(n: number): string {
  if (n < 1024) return `${n.toLocaleString()} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB (${n.toLocaleString()} bytes)`;
  return `${(n / 1024 / 1024).toFixed(1)} MB (${n.toLocaleString()} bytes)`;
}

/** Save dialog, then the export; a `step_up_required` answer asks for the password and retries. */
function useExport() {
  const stepUp = useStepUp();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ExportResult>(null);
  const run = async (kind: "csv" | "cases", table: ExportTable, filter: AnalyticsFilter) => {
    setResult(null);
    try {
      const path = await savePath(
        kind === "csv"
          ? {
              title: `Export ${EXPORT_TABLE_LABEL[table].toLowerCase()} as CSV`,
              defaultPath: `handoff-desk-${table}-${localDay(Date.now())}.csv`,
              filters: [{ name: "CSV (*.csv)", extensions: ["csv"] }],
            }
          : {
              title: "Export rated handoffs as evaluation cases",
              defaultPath: `handoff-desk-eval-cases-${localDay(Date.now())}.jsonl`,
              filters: [{ name: "JSON Lines (*.jsonl)", extensions: ["jsonl"] }],
            },
      );
      if (path === null) return;
      setBusy(true);
      const bytes = await stepUp.run("Exporting data needs your password again.", () =>
        kind === "csv" ? call("export_csv", { table, filter, path }) : call("export_eval_cases", { filter, path }),
      );
      setResult({ ok: true, bytes, path });
    } catch (e) {
      if (!(e instanceof StepUpCancelled)) setResult({ ok: false, message: toIpcError(e).message });
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, result, clear: () => setResult(null) };
}

function ExportResultLine({ result, onClose }: { result: ExportResult; onClose: () => void }) {
  if (!result) return null;
  return result.ok ? (
    <p className="export-result" role="status" data-testid="export-result">
      <span>
        ✓ Wrote {formatBytes(result.bytes)} to <span className="mono">{result.path}</span>
      </span>
      <button type="button" className="icon-button icon-button--small" aria-label="Dismiss" onClick={onClose}>
        ×
      </button>
    </p>
  ) : (
    <p className="export-result export-result--error" role="alert" data-testid="export-error">
      <span>⚠ Export failed: {result.message}</span>
      <button type="button" className="icon-button icon-button--small" aria-label="Dismiss" onClick={onClose}>
        ×
      </button>
    </p>
  );
}

function ExportButton({ table, filter, compact }: { table: ExportTable; filter: AnalyticsFilter; compact?: boolean }) {
  const ex = useExport();
  return (
    <span className="export-inline">
      <button
        type="button"
        className={`button button--small${compact ? " button--quiet" : ""}`}
        data-testid={`export-csv-${table}`}
        disabled={ex.busy}
        title={`Export ${EXPORT_TABLE_LABEL[table].toLowerCase()} as CSV`}
        onClick={() => void ex.run("csv", table, filter)}
      >
        {ex.busy ? "Exporting…" : "CSV"}
      </button>
      <ExportResultLine result={ex.result} onClose={ex.clear} />
    </span>
  );
}

function ExportBar({ filter }: { filter: AnalyticsFilter }) {
  const { can } = useSession();
  const [table, setTable] = useState<ExportTable>("ratings");
  const ex = useExport();
  if (!can("export_data")) return null;
  return (
    <div className="export-bar">
      <select aria-label="Table to export" data-testid="export-table" value={table} onChange={(e) => setTable(e.target.value as ExportTable)}>
        {(Object.keys(EXPORT_TABLE_LABEL) as ExportTable[]).map((t) => (
          <option key={t} value={t}>
            {EXPORT_TABLE_LABEL[t]}
          </option>
        ))}
      </select>
      <button type="button" className="button button--small" data-testid="analytics-export-csv" disabled={ex.busy} onClick={() => void ex.run("csv", table, filter)}>
        Export CSV…
      </button>
      <button
        type="button"
        className="button button--small"
        data-testid="analytics-export-cases"
        disabled={ex.busy}
        title="Every rated handoff in this range as a JSON Lines evaluation case"
        onClick={() => void ex.run("cases", table, filter)}
      >
        Export eval cases…
      </button>
      <ExportResultLine result={ex.result} onClose={ex.clear} />
    </div>
  );
}
