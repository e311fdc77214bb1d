// Line charts drawn in the page with uPlot (small, fast, no dependencies). The server's SVG
// charts (/api/v1/reports/{name}/charts/{n}.svg) are shown with <ReportChart> instead.
import type uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';
import { formatDate } from '../lib/i18n';

export interface Series {
  label: string;
  values: (number | null)[];
}

// Distinguishable colours with 3:1 contrast against white (WCAG non-text contrast).
const palette = ['#1d4e89', '#b3261e', '#0b6e4f', '#8a4b08', '#6a1b9a', '#c2185b'];

/** x: dates (YYYY-MM-DD); one line per series; y from yMin to yMax. */
export function LineChart({ x, series, yMin, yMax, label, xLabel }: { x: string[]; series: Series[]; yMin?: number; yMax?: number; label: string; xLabel: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el || !x.length) return;
    let plot: uPlot | null = null;
    let resize: ResizeObserver | null = null;
    let gone = false;
    // uPlot is loaded with the first chart: most screens have none.
    import('uplot').then(({ default: UPlot }) => {
      if (gone) return;
    const xs = x.map((d) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / 1000);
    const width = () => Math.max(260, el.clientWidth);
      plot = new UPlot(
      {
        width: width(),
        height: 260,
        scales: { x: { time: true }, y: { range: [yMin ?? 0, yMax ?? 1] } },
        axes: [{ values: (_u, ticks) => ticks.map((s) => formatDate(new Date(s * 1000).toISOString())) }, { values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? String(v) : '')) }],
        series: [{ label: xLabel }, ...series.map((s, i) => ({ label: s.label, stroke: palette[i % palette.length]!, width: 2, points: { size: 7 } }))],
        // The legend names the lines; values under the pointer would only repeat the table below.
        legend: { show: true, live: false },
      },
      [xs, ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
      const drawn = plot;
      resize = new ResizeObserver(() => drawn.setSize({ width: width(), height: 260 }));
      resize.observe(el);
    });
    return () => {
      gone = true;
      resize?.disconnect();
      plot?.destroy();
    };
  }, [x, series, yMin, yMax, xLabel]);
  return <div class="chart" ref={host} role="img" aria-label={label} />;
}

/** A chart the server draws for a report, as SVG (the session cookie authorises the image). */
export function ReportChart({ name, index, alt }: { name: string; index: number; alt: string }) {
  return <img class="report-chart" src={`/api/v1/reports/${encodeURIComponent(name)}/charts/${index}.svg`} alt={alt} loading="lazy" />;
}
