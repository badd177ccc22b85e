// Charts drawn by uPlot (vendor/uplot, MIT), served from the gateway like the rest of the app.
// Every chart has a caption and a table or text next to it with the numbers: canvas is not read aloud.
import uPlot from "../vendor/uplot/uPlot.esm.js";
import { h } from "./ui.js";

export const COLORS = ["#1f6feb", "#2da44e", "#bf8700", "#cf222e", "#8250df", "#0a7ea4", "#d4570f", "#6e7781", "#999999"];

/**
 * A chart that fills its container's width and follows it. `series` are [{label, values, color}];
 * `x` are Unix seconds. `stacked` draws bars whose heights add up (the table carries each part).
 */
export function timeChart({ x, series, height = 240, stacked = false, label }) {
  const box = h("div", { class: "plot", role: "img", "aria-label": label });
  const cumulative = stacked ? stack(series) : series;
  // Stacked bars: the tallest (all parts) first, each smaller sum over it, so each visible band is one part.
  const drawn = stacked ? [...cumulative].reverse() : cumulative;
  const options = {
    width: 720,
    height,
    legend: { show: false },
    cursor: { show: !stacked, drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_, min, max) => [Math.min(0, min), Math.max(1, max)] } },
    axes: [{ stroke: "currentColor", grid: { stroke: "rgba(127,127,127,.15)" } }, { stroke: "currentColor", grid: { stroke: "rgba(127,127,127,.15)" }, size: 56 }],
    series: [{}, ...drawn.map((s) => ({
      label: s.label,
      stroke: s.color,
      fill: stacked ? s.color : undefined,
      width: stacked ? 0 : 2,
      // Lines mark their points where they are sparse (uPlot decides), so a single bucket still shows.
      points: stacked ? { show: false } : undefined,
      paths: stacked ? uPlot.paths.bars({ size: [0.8, 64] }) : undefined,
    }))],
  };
  const plot = new uPlot(options, [x, ...drawn.map((s) => s.values)], box);
  follow(box, plot, height);
  return box;
}

/** A small line for a KPI card: no axes, the values' shape only. */
export function sparkline(points, color = COLORS[0]) {
  const box = h("div", { class: "sparkline", "aria-hidden": "true" });
  const numeric = points.filter((p) => typeof p.value === "number" || (typeof p.value === "string" && p.value.trim() !== "" && !isNaN(Number(p.value))));
  if (numeric.length < 2) return box;
  const x = numeric.map((p, i) => i);
  const y = numeric.map((p) => Number(p.value));
  const plot = new uPlot({
    width: 200, height: 40, legend: { show: false }, cursor: { show: false }, select: { show: false },
    scales: { x: { time: false } }, axes: [{ show: false }, { show: false }],
    series: [{}, { stroke: color, width: 2, points: { show: false } }],
  }, [x, y], box);
  follow(box, plot, 40);
  return box;
}

function stack(series) {
  const sums = [];
  return series.map((s, k) => {
    const values = s.values.map((v, i) => (k === 0 ? 0 : sums[k - 1][i]) + (v || 0));
    sums.push(values);
    return { ...s, values };
  });
}

/** Canvas has a fixed size: follow the container's width once it is on the page and when it changes. */
function follow(box, plot, height) {
  new ResizeObserver(() => {
    const width = Math.floor(box.clientWidth);
    if (width > 0 && width !== plot.width) plot.setSize({ width, height });
  }).observe(box);
}
