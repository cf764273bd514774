// The analytics charts, drawn with Recharts (SVG, no injected stylesheets, no eval: it works
// under the window's CSP). Every chart has its numbers in a table or tooltip as well.
import type { ReactNode } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  LabelList,
  Legend,
  ReferenceLine,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis,
  type TooltipContentProps,
} from "recharts";
import type { NameType, ValueType } from "recharts/types/component/DefaultTooltipContent";
import type { Calibration, DayReasonCount, EscalationReason } from "../../bindings";
import { REASONS, REASON_LABEL } from "../../labels";
import { useChartTheme, useWidth, type ChartTheme } from "./theme";

const pct = (v: number) => `${Math.round(v * 100)}%`;
export const AXIS_FONT = 11;

export function axisProps(t: ChartTheme) {
  return {
    stroke: t.grid,
    tick: { fill: t.muted, fontSize: AXIS_FONT },
    tickLine: { stroke: t.grid },
  };
}

/** Measures its box and hands the width to a chart; nothing is drawn before it is known. */
export function Sized({ height, children }: { height: number; children: (width: number) => ReactNode }) {
  const [ref, width] = useWidth();
  return (
    <div ref={ref} className="chart__box" style={{ height }}>
      {width > 0 && children(width)}
    </div>
  );
}

/** A tooltip drawn with the app's own classes (light and dark), rows as given. */
export function TipBox({ title, rows }: { title: string; rows: [string, string, string?][] }) {
  return (
    <div className="chart-tip">
      <p className="chart-tip__title">{title}</p>
      <table>
        <tbody>
          {rows.map(([k, v, color]) => (
            <tr key={k}>
              <td>
                {color && <span className="chart-tip__swatch" style={{ background: color }} aria-hidden="true" />}
                {k}
              </td>
              <td className="chart-tip__value">{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const shortDay = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
function dayLabel(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(t) ? shortDay.format(t) : day;
}

/** `day` plus one count per reason. */
type DayRow = Record<string, string | number>;

/** One row per day from the first to the last (missing days are zero), one key per reason. */
export function pivotDays(rows: DayReasonCount[]): { data: DayRow[]; reasons: string[] } {
  const byDay = new Map<string, DayRow>();
  const seen = new Set<string>();
  for (const r of rows) {
    seen.add(r.reason);
    const d = byDay.get(r.day) ?? { day: r.day };
    d[r.reason] = Number(d[r.reason] ?? 0) + r.count;
    byDay.set(r.day, d);
  }
  const days = [...byDay.keys()].sort();
  const data: DayRow[] = [];
  if (days.length > 0) {
    const first = Date.parse(`${days[0]}T00:00:00Z`);
    const last = Date.parse(`${days[days.length - 1]}T00:00:00Z`);
    if (Number.isFinite(first) && Number.isFinite(last) && (last - first) / 86_400_000 <= 400) {
      for (let t = first; t <= last; t += 86_400_000) {
        const day = new Date(t).toISOString().slice(0, 10);
        data.push(byDay.get(day) ?? { day });
      }
    } else {
      days.forEach((d) => data.push(byDay.get(d)!));
    }
  }
  // known reasons in their usual order, then anything new the Rust side sends
  const reasons = [...REASONS.filter((r) => seen.has(r)), ...[...seen].filter((r) => !(REASONS as readonly string[]).includes(r)).sort()];
  return { data, reasons };
}

function reasonLabel(r: string): string {
  return REASON_LABEL[r as EscalationReason] ?? r;
}

/** Stacked bars: escalations per day, split by reason. */
export function ReasonsChart({ rows }: { rows: DayReasonCount[] }) {
  const t = useChartTheme();
  const { data, reasons } = pivotDays(rows);
  const colorOf = (r: string) => {
    const i = (REASONS as readonly string[]).indexOf(r);
    return t.series[(i >= 0 ? i : reasons.indexOf(r)) % t.series.length]!;
  };
  return (
    <Sized height={260}>
      {(width) => (
        <BarChart width={width} height={260} data={data} margin={{ top: 6, right: 8, bottom: 0, left: -12 }} barCategoryGap="18%">
          <CartesianGrid vertical={false} stroke={t.grid} strokeDasharray="2 3" />
          <XAxis dataKey="day" tickFormatter={dayLabel} {...axisProps(t)} minTickGap={12} />
          <YAxis allowDecimals={false} {...axisProps(t)} width={44} />
          <Tooltip
            cursor={{ fill: t.grid, fillOpacity: 0.35 }}
            content={(p: TooltipContentProps<ValueType, NameType>) => {
              if (!p.active || !p.payload?.length) return null;
              const entries = p.payload.filter((e) => Number(e.value) > 0).reverse();
              const total = entries.reduce((n, e) => n + Number(e.value), 0);
              return (
                <TipBox
                  title={`${dayLabel(String(p.label))} · ${total.toLocaleString()} escalations`}
                  rows={entries.map((e) => [reasonLabel(String(e.dataKey)), Number(e.value).toLocaleString(), String(e.color ?? "")])}
                />
              );
            }}
          />
          <Legend
            verticalAlign="bottom"
            height={28}
            iconType="square"
            iconSize={9}
            wrapperStyle={{ fontSize: AXIS_FONT, color: t.muted, lineHeight: "16px" }}
            formatter={(v) => <span className="chart-legend">{reasonLabel(String(v))}</span>}
          />
          {reasons.map((r) => (
            <Bar key={r} dataKey={r} name={r} stackId="day" fill={colorOf(r)} isAnimationActive={false} />
          ))}
        </BarChart>
      )}
    </Sized>
  );
}

export type DistributionRow = {
  name: string;
  rated: number;
  avgOverall: number | null;
  intentCorrect: number | null;
  /** Ratings that gave 1, 2, 3, 4, 5. */
  counts: number[];
};

/** Horizontal 100 % bars: how the ratings of each intent (or version) spread over 1 … 5. */
export function DistributionChart({ rows, nameWidth = 128 }: { rows: DistributionRow[]; nameWidth?: number }) {
  const t = useChartTheme();
  const data = rows.map((r) => {
    const o: Record<string, number | string> = {
      name: r.name,
      right: `${r.avgOverall === null ? "–" : r.avgOverall.toFixed(1)} · n=${r.rated}`,
    };
    r.counts.forEach((c, i) => (o[`s${i + 1}`] = r.rated > 0 ? c / r.rated : 0));
    return o;
  });
  const height = Math.max(120, rows.length * 30 + 56);
  return (
    <Sized height={height}>
      {(width) => (
        <BarChart width={width} height={height} data={data} layout="vertical" margin={{ top: 4, right: 4, bottom: 0, left: 0 }} barCategoryGap="22%">
          <CartesianGrid horizontal={false} stroke={t.grid} strokeDasharray="2 3" />
          <XAxis type="number" domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} tickFormatter={pct} {...axisProps(t)} />
          <YAxis yAxisId="name" type="category" dataKey="name" width={nameWidth} {...axisProps(t)} tick={{ fill: t.text, fontSize: AXIS_FONT }} />
          <YAxis yAxisId="right" type="category" dataKey="right" orientation="right" width={78} {...axisProps(t)} tickLine={false} />
          <Tooltip
            cursor={{ fill: t.grid, fillOpacity: 0.35 }}
            content={(p: TooltipContentProps<ValueType, NameType>) => {
              if (!p.active || !p.payload?.length) return null;
              const row = rows.find((r) => r.name === p.label);
              if (!row) return null;
              return (
                <TipBox
                  title={`${row.name} · ${row.rated} rated`}
                  rows={[
                    ["Average overall", row.avgOverall === null ? "–" : row.avgOverall.toFixed(2)],
                    ["Intent correct", row.intentCorrect === null ? "–" : pct(row.intentCorrect)],
                    ...row.counts.map((c, i): [string, string, string] => [`Overall ${i + 1}`, String(c), t.scale[i]!]).reverse(),
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
          {[1, 2, 3, 4, 5].map((k) => (
            <Bar
              key={k}
              yAxisId="name"
              dataKey={`s${k}`}
              name={k === 1 ? "1 poor" : k === 5 ? "5 excellent" : String(k)}
              stackId="o"
              fill={t.scale[k - 1]}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      )}
    </Sized>
  );
}

type CalPoint = { x: number; y: number; n: number; lower: number; upper: number };

/**
 * A reliability diagram: for each confidence bin, the bot's mean confidence (x) against the
 * share the team leads rated correct (y); point size and label give the number of ratings. On
 * the dashed diagonal the bot would be perfectly calibrated; below it, over-confident.
 */
export function CalibrationChart({ calibration }: { calibration: Calibration }) {
  const t = useChartTheme();
  const points: CalPoint[] = calibration.bins
    .filter((b) => b.rated > 0 && b.mean_confidence !== null && b.share_correct !== null)
    .map((b) => ({ x: b.mean_confidence!, y: b.share_correct!, n: b.rated, lower: b.lower, upper: b.upper }));
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  return (
    <Sized height={300}>
      {(width) => (
        <ScatterChart width={width} height={300} margin={{ top: 16, right: 16, bottom: 18, left: 12 }}>
          <CartesianGrid stroke={t.grid} strokeDasharray="2 3" />
          <XAxis
            type="number"
            dataKey="x"
            name="Bot confidence"
            domain={[0, 1]}
            ticks={ticks}
            tickFormatter={(v: number) => v.toFixed(1)}
            {...axisProps(t)}
            label={{ value: "Bot confidence (mean of the bin)", position: "insideBottom", offset: -12, fill: t.muted, fontSize: AXIS_FONT }}
          />
          <YAxis
            type="number"
            dataKey="y"
            name="Rated correct"
            domain={[0, 1]}
            ticks={ticks}
            tickFormatter={pct}
            width={62}
            {...axisProps(t)}
            label={{ value: "Rated correct", angle: -90, position: "insideLeft", offset: 0, fill: t.muted, fontSize: AXIS_FONT, dy: 36 }}
          />
          <ZAxis type="number" dataKey="n" range={[36, 380]} name="Ratings" />
          <ReferenceLine
            segment={[
              { x: 0, y: 0 },
              { x: 1, y: 1 },
            ]}
            stroke={t.diagonal}
            strokeDasharray="5 4"
            label={{ value: "perfectly calibrated", position: "insideTopRight", offset: 6, fill: t.muted, fontSize: AXIS_FONT }}
          />
          <Tooltip
            cursor={{ stroke: t.grid }}
            content={(p: TooltipContentProps<ValueType, NameType>) => {
              const pt = p.active ? (p.payload?.[0]?.payload as CalPoint | undefined) : undefined;
              if (!pt) return null;
              return (
                <TipBox
                  title={`Confidence ${pt.lower.toFixed(1)}–${pt.upper.toFixed(1)}`}
                  rows={[
                    ["Mean confidence", pt.x.toFixed(2)],
                    ["Rated correct", pct(pt.y)],
                    ["Gap", `${pt.y >= pt.x ? "+" : "−"}${Math.abs(Math.round((pt.y - pt.x) * 100))} pts`],
                    ["Ratings", String(pt.n)],
                  ]}
                />
              );
            }}
          />
          <Scatter data={points} fill={t.point} fillOpacity={0.85} line={{ stroke: t.point, strokeWidth: 1.5 }} isAnimationActive={false}>
            <LabelList dataKey="n" position="top" offset={9} fill={t.muted} fontSize={AXIS_FONT} formatter={(v) => `n=${String(v)}`} />
          </Scatter>
        </ScatterChart>
      )}
    </Sized>
  );
}
