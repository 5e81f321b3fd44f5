// Day series as line charts: uPlot (≈20 KB gzipped, canvas, no inline styles the CSP would refuse —
// it sets sizes through the CSSOM), bundled by Vite from npm. Dates are the API's YYYY-MM-DD days.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: number[];
  color: string;
  /** A second y axis on the right (sales beside order counts). */
  right?: boolean;
  format?: (n: number) => string;
}

const dayTs = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / 1000;

/**
 * The right axis as wide as its longest label (¥15,000.00 needs more than a fixed 80 px; uPlot
 * calls this with the labels it is about to draw): about 7 px a character at the axis font, plus the tick.
 */
const rightAxisSize = (_u: uPlot, values: string[] | null) => 18 + 7 * Math.max(4, ...(values ?? []).map((v) => String(v).length));

/** Draws into `host`, as wide as it is; redraws on resize. */
export function lineChart(host: HTMLElement, days: string[], series: Series[]): uPlot {
  const width = () => Math.max(280, host.clientWidth);
  const left = series.find((s) => !s.right);
  const right = series.find((s) => s.right);
  const plot = new uPlot(
    {
      width: width(),
      height: 240,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'UTC'),
      series: [
        { label: '日期', value: (_u, ts) => (ts == null ? '' : new Date(ts * 1000).toISOString().slice(0, 10)) },
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, scale: s.right ? 'r' : 'y', value: (_u: uPlot, v: number | null) => (v == null ? '' : (s.format ?? String)(v)) })),
      ],
      axes: [
        { values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(5, 10)) },
        { scale: 'y', values: (_u, ticks) => ticks.map((t) => (left?.format ?? String)(t)), size: 60 },
        ...(right ? [{ scale: 'r', side: 1 as const, grid: { show: false }, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (right.format ?? String)(t)), size: rightAxisSize }] : []),
      ],
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] }, r: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    },
    [days.map(dayTs), ...series.map((s) => s.values)],
    host,
  );
  new ResizeObserver(() => plot.setSize({ width: width(), height: 240 })).observe(host);
  return plot;
}
