// Draft acceptance by intent (shadow mode): how agents decided the drafts the desk wrote.
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import type { NameType, ValueType } from "recharts/types/component/DefaultTooltipContent";
import type { DraftIntentMetrics } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { formatDuration } from "../../time";
import { useDraftMetrics } from "../drafts/hooks";
import { AXIS_FONT, Sized, TipBox, axisProps } from "./charts";
import { useChartTheme } from "./theme";
import "../drafts/drafts.css";

const pct = (v: number | null) => (v === null ? "–" : `${Math.round(v * 100)}%`);

/** "48 s", "3 min", "1 h 5 min". */
export function decisionTime(secs: number | null): string {
  if (secs === null) return "–";
  if (secs < 60) return `${Math.round(secs)} s`;
  return formatDuration(secs * 1000);
}

const SERIES = [
  { key: "approved", label: "Approved as drafted" },
  { key: "edited", label: "Edited, then sent" },
  { key: "rejected", label: "Rejected" },
] as const;

/** The chart and the table, in one wide card of the analytics grid. */
export function DraftMetricsSection() {
  const q = useDraftMetrics();
  let body;
  if (q.isPending) body = <p className="muted small">Loading the draft numbers…</p>;
  else if (q.isError) body = <ErrorState title="Could not load the draft numbers" error={q.error} onRetry={() => void q.refetch()} />;
  else if (q.data.length === 0)
    body = (
      <EmptyState title="No drafts yet" testId="draft-metrics-empty">
        <p>Once agents approve, edit or reject the drafts shown under a conversation, their choices appear here per intent.</p>
      </EmptyState>
    );
  else {
    const rows = [...q.data].sort((a, b) => b.drafts - a.drafts || a.intent.localeCompare(b.intent));
    const decided = rows.reduce((n, r) => n + r.decided, 0);
    const approved = rows.reduce((n, r) => n + r.approved, 0);
    body = (
      <>
        <p className="chart__note">
          {decided.toLocaleString()} drafts decided, {pct(decided > 0 ? approved / decided : null)} approved as drafted. Notes to the agent are not counted.
        </p>
        <div className="draft-metrics">
          <div className="draft-metrics__chart">
            {decided > 0 ? <AcceptanceChart rows={rows.filter((r) => r.decided > 0)} /> : <p className="muted small">No draft has been decided yet.</p>}
          </div>
          <DraftMetricsTable rows={rows} />
        </div>
      </>
    );
  }
  return (
    <section className="chart chart--wide" data-testid="chart-draft-acceptance" aria-label="Draft acceptance by intent">
      <header className="chart__header">
        <h3 className="chart__title">Draft acceptance by intent</h3>
        <span className="muted small" title="The draft numbers cover every draft so far">
          all drafts to date · the filters above do not apply
        </span>
      </header>
      {body}
    </section>
  );
}

/** Horizontal stacked bars per intent: approved, edited, rejected (counts). */
function AcceptanceChart({ rows }: { rows: DraftIntentMetrics[] }) {
  const t = useChartTheme();
  const color: Record<(typeof SERIES)[number]["key"], string> = { approved: t.series[4]!, edited: t.series[5]!, rejected: t.series[2]! };
  const data = rows.map((r) => ({ ...r, right: `${pct(r.acceptance_rate)} · n=${r.decided}` }));
  const height = Math.max(120, rows.length * 28 + 60);
  return (
    <Sized height={height}>
      {(width) => (
        <BarChart width={width} height={height} data={data} layout="vertical" margin={{ top: 4, right: 4, bottom: 0, left: 0 }} barCategoryGap="24%">
          <CartesianGrid horizontal={false} stroke={t.grid} strokeDasharray="2 3" />
          <XAxis type="number" allowDecimals={false} {...axisProps(t)} />
          <YAxis yAxisId="name" type="category" dataKey="intent" width={132} {...axisProps(t)} tick={{ fill: t.text, fontSize: AXIS_FONT }} />
          <YAxis yAxisId="right" type="category" dataKey="right" orientation="right" width={100} {...axisProps(t)} tickLine={false} />
          <Tooltip
            cursor={{ fill: t.grid, fillOpacity: 0.35 }}
            content={(p: TooltipContentProps<ValueType, NameType>) => {
              if (!p.active || !p.payload?.length) return null;
              const r = rows.find((x) => x.intent === p.label);
              if (!r) return null;
              return (
                <TipBox
                  title={`${r.intent} · ${r.decided} of ${r.drafts} decided`}
                  rows={[
                    ...SERIES.map((s): [string, string, string] => [s.label, String(r[s.key]), color[s.key]]),
                    ["Acceptance rate", pct(r.acceptance_rate)],
                    ["Median time to decide", decisionTime(r.median_decision_secs)],
                  ]}
                />
              );
            }}
          />
          <Legend
            verticalAlign="bottom"
            height={22}
            iconType="square"
            iconSize={9}
            wrapperStyle={{ fontSize: AXIS_FONT, color: t.muted }}
            formatter={(v) => <span className="chart-legend">{String(v)}</span>}
          />
          {SERIES.map((s) => (
            <Bar key={s.key} yAxisId="name" dataKey={s.key} name={s.label} stackId="d" fill={color[s.key]} isAnimationActive={false} />
          ))}
        </BarChart>
      )}
    </Sized>
  );
}

function DraftMetricsTable({ rows }: { rows: DraftIntentMetrics[] }) {
  return (
    <table className="table" data-testid="draft-metrics-table">
      <thead>
        <tr>
          <th scope="col">Intent</th>
          <th scope="col" className="num" title="Reply drafts written">
            Drafts
          </th>
          <th scope="col" className="num" title="Approved, edited or rejected">
            Decided
          </th>
          <th scope="col" className="num" title="Approved as drafted, of the decided drafts">
            Acceptance
          </th>
          <th scope="col" className="num" title="Edited before sending, of the decided drafts">
            Edit rate
          </th>
          <th scope="col" className="num" title="Median number of characters an agent changed when editing">
            Edit size
          </th>
          <th scope="col" className="num" title="Median time from the draft to the agent's decision">
            Time to decide
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.intent} data-testid="draft-metrics-row" data-intent={r.intent}>
            <th scope="row" className="mono">
              {r.intent}
            </th>
            <td className="num">{r.drafts.toLocaleString()}</td>
            <td className="num">{r.decided.toLocaleString()}</td>
            <td className="num">{pct(r.acceptance_rate)}</td>
            <td className="num">{pct(r.edit_rate)}</td>
            <td className="num">{r.median_edit_distance === null ? "–" : `${Math.round(r.median_edit_distance).toLocaleString()} chars`}</td>
            <td className="num">{decisionTime(r.median_decision_secs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
