import { get, query } from "./api.js";
import { h, mount } from "./ui.js";

const COLORS = ["#1f6feb", "#2da44e", "#bf8700", "#cf222e", "#8250df", "#0a7ea4", "#d4570f", "#6e7781", "#999999"];
const SVG = "http://www.w3.org/2000/svg";

/** Event volume per category or event name, last 24 hours or 7 days, from storage's /v1/volume. */
export async function chartsPage() {
  const params = new URLSearchParams(location.search);
  const by = params.get("by") === "name" ? "name" : "category";
  const range = params.get("range") === "7d" ? "7d" : "24h";
  const data = await get(`/v1/volume${query({ by, range })}`);
  const tab = (key, value, label) => h("a", { href: `/charts${query({ by, range, [key]: value })}`, "aria-current": (key === "by" ? by : range) === value ? "true" : "false" }, label);
  mount(
    h("h1", {}, "Charts"),
    h("div", { class: "actions-row" },
      h("nav", { class: "tabs", "aria-label": "Group by" }, tab("by", "category", "Per category"), tab("by", "name", "Per event name")),
      h("nav", { class: "tabs", "aria-label": "Range" }, tab("range", "24h", "24 hours"), tab("range", "7d", "7 days"))),
    h("p", { class: "muted" }, `${data.total.toLocaleString()} events in the last ${range === "24h" ? "24 hours" : "7 days"}.`),
    chart(data),
    table(data));
}

function chart(data) {
  const series = [...data.series, ...(data.other ? [data.other] : [])];
  const buckets = series[0]?.counts.length || (data.range === "24h" ? 24 : 28);
  const totals = Array.from({ length: buckets }, (_, i) => series.reduce((sum, s) => sum + s.counts[i], 0));
  const max = Math.max(1, ...totals);
  const width = 720, height = 240, left = 40, bottom = 22, barW = (width - left) / buckets;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Stacked bars of event counts per ${data.bucketSeconds / 3600} hours; the table below has the numbers.`);
  const el = (tag, attrs, text) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  const plot = height - bottom - 8;
  el("text", { x: 0, y: 12 }, max.toLocaleString());
  el("text", { x: 0, y: plot + 8 }, "0");
  el("line", { x1: left, x2: width, y1: plot + 8, y2: plot + 8, stroke: "currentColor", "stroke-opacity": ".25" });
  for (let i = 0; i < buckets; i++) {
    let y = plot + 8;
    series.forEach((s, k) => {
      const hgt = (s.counts[i] / max) * plot;
      if (hgt <= 0) return;
      y -= hgt;
      const rect = el("rect", { x: left + i * barW + 1, y, width: Math.max(1, barW - 2), height: hgt, fill: COLORS[k % COLORS.length], rx: 2 });
      const title = document.createElementNS(SVG, "title");
      title.textContent = `${label(s.key)}: ${s.counts[i]}`;
      rect.append(title);
    });
    const start = new Date(new Date(data.from).getTime() + i * data.bucketSeconds * 1000);
    if (i % (data.range === "24h" ? 4 : 4) === 0) {
      el("text", { x: left + i * barW, y: height - 4 }, data.range === "24h"
        ? start.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
        : start.toLocaleDateString([], { weekday: "short", day: "numeric" }));
    }
  }
  return h("figure", { class: "chart" }, svg,
    h("figcaption", {}, h("ul", { class: "legend" }, series.map((s, k) => h("li", {}, h("span", { class: "swatch", style: `background:${COLORS[k % COLORS.length]}` }), `${label(s.key)} (${s.total.toLocaleString()})`)))));
}

const label = (key) => (key === "" ? "(no category)" : key);

function table(data) {
  const series = [...data.series, ...(data.other ? [data.other] : [])];
  if (!series.length) return h("p", { class: "empty" }, "No events in this range.");
  return h("div", { class: "table-wrap" }, h("table", {},
    h("caption", { class: "visually-hidden" }, "Events per key"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, data.by === "name" ? "Event name" : "Category"), h("th", { scope: "col" }, "Events"), h("th", { scope: "col" }, "Busiest period"))),
    h("tbody", {}, series.map((s) => {
      const peak = s.counts.indexOf(Math.max(...s.counts));
      const at = new Date(new Date(data.from).getTime() + peak * data.bucketSeconds * 1000);
      return h("tr", {}, h("td", {}, label(s.key)), h("td", {}, s.total.toLocaleString()), h("td", {}, `${at.toLocaleString([], { dateStyle: "short", timeStyle: "short" })} (${s.counts[peak]})`));
    }))));
}
