import { get, query } from "./api.js";
import { h, mount } from "./ui.js";
import { COLORS, timeChart } from "./plots.js";

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
  const from = new Date(data.from).getTime() / 1000;
  const x = Array.from({ length: buckets }, (_, i) => from + i * data.bucketSeconds);
  const plotted = series.map((s, k) => ({ label: label(s.key), values: s.counts, color: COLORS[k % COLORS.length] }));
  return h("figure", { class: "chart" },
    timeChart({ x, series: plotted, stacked: true, label: `Stacked bars of event counts per ${data.bucketSeconds / 3600} hours; the table below has the numbers.` }),
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
