// Chart colours come from the stylesheet (CSS custom properties, light and dark), resolved to
// plain colours because SVG attributes are set from them. Re-read when the theme changes.
import { useCallback, useEffect, useState } from "react";

export type ChartTheme = {
  text: string;
  muted: string;
  grid: string;
  surface: string;
  point: string;
  diagonal: string;
  bar: string;
  /** One colour per escalation reason, in REASONS order. */
  series: string[];
  /** Overall 1 … 5. */
  scale: string[];
};

const FALLBACK: ChartTheme = {
  text: "#1b1f24",
  muted: "#58616c",
  grid: "#d5dae1",
  surface: "#ffffff",
  point: "#0b5cad",
  diagonal: "#7a838e",
  bar: "#2f6fb0",
  series: ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"],
  scale: ["#b2182b", "#ef8a62", "#bdbdbd", "#67a9cf", "#2166ac"],
};

function read(): ChartTheme {
  if (typeof window === "undefined" || typeof getComputedStyle !== "function") return FALLBACK;
  const cs = getComputedStyle(document.documentElement);
  const v = (name: string, fb: string) => cs.getPropertyValue(name).trim() || fb;
  return {
    text: v("--text", FALLBACK.text),
    muted: v("--muted", FALLBACK.muted),
    grid: v("--border", FALLBACK.grid),
    surface: v("--surface", FALLBACK.surface),
    point: v("--chart-point", FALLBACK.point),
    diagonal: v("--chart-diagonal", FALLBACK.diagonal),
    bar: v("--chart-bar", FALLBACK.bar),
    series: FALLBACK.series.map((c, i) => v(`--chart-series-${i + 1}`, c)),
    scale: FALLBACK.scale.map((c, i) => v(`--chart-scale-${i + 1}`, c)),
  };
}

export function useChartTheme(): ChartTheme {
  const [theme, setTheme] = useState<ChartTheme>(read);
  useEffect(() => {
    const update = () => setTheme(read());
    const mq = typeof window.matchMedia === "function" ? window.matchMedia("(prefers-color-scheme: dark)") : null;
    mq?.addEventListener("change", update);
    const mo = new MutationObserver(update);
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    return () => {
      mq?.removeEventListener("change", update);
      mo.disconnect();
    };
  }, []);
  return theme;
}

/** The width of an element, kept up to date (charts are drawn at that width). */
export function useWidth(): [(el: HTMLElement | null) => void, number] {
  const [el, setEl] = useState<HTMLElement | null>(null);
  const [width, setWidth] = useState(0);
  const ref = useCallback((node: HTMLElement | null) => setEl(node), []);
  useEffect(() => {
    if (!el) return;
    setWidth(Math.floor(el.getBoundingClientRect().width) || el.clientWidth);
    if (typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w !== undefined && w > 0) setWidth(Math.floor(w));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [el]);
  return [ref, width];
}
