import { get, query } from "./api.js";
import { h, mount } from "./ui.js";
import { navigate } from "./router.js";
import { COLORS, timeChart } from "./plots.js";

const RANGES = { "24h": { hours: 24, bucket: "hour", label: "24 hours" }, "7d": { hours: 168, bucket: "hour", label: "7 days" }, "30d": { hours: 720, bucket: "day", label: "30 days" } };
const FNS = ["p50", "p95", "p99", "avg", "max", "count"];

/** A numeric tag of an event over time: one statistic per group as lines, and every group's figures in a table. */
export async function metricsPage() {
  const { metrics } = await get("/v1/metrics/catalog");
  if (!metrics.length) {
    mount(h("h1", {}, "Metrics"),
      h("div", { class: "empty" },
        h("p", {}, "No numeric tags yet. Events with numbers in their tags are measured here, per any of their other tags:"),
        h("pre", {}, '{"name": "import finished", "tags": {"durationMs": 1530, "customer": "acme"}}')));
    return;
  }

  const params = new URLSearchParams(location.search);
  const chosen = metrics.find((m) => m.name === params.get("name") && m.field === params.get("field")) || metrics[0];
  const groupBy = chosen.groupBy.includes(params.get("groupBy")) ? params.get("groupBy") : (chosen.groupBy[0] || "");
  const fn = FNS.includes(params.get("fn")) ? params.get("fn") : "p95";
  const range = RANGES[params.get("range")] ? params.get("range") : "24h";
  const { hours, bucket } = RANGES[range];
  const from = new Date(Date.now() - hours * 3600 * 1000).toISOString();
  const data = await get(`/v1/metrics${query({ name: chosen.name, field: chosen.field, groupBy, bucket, from, fn: "count,p50,p95,p99,max", top: 8 })}`);

  const go = (change) => navigate(`/metrics${query({ name: chosen.name, field: chosen.field, groupBy, fn, range, ...change })}`);
  const select = (label, value, options, onchange) => h("label", {}, label,
    h("select", { onchange: (e) => onchange(e.target.value) }, options.map(([v, text]) => h("option", { value: v, selected: v === value }, text))));
  const series = [...data.groups, ...(data.other ? [data.other] : [])];
  const shown = groupBy ? series : [data.all];
  mount(
    h("h1", {}, "Metrics"),
    h("div", { class: "filters" },
      select("Measure", `${chosen.name}\u0000${chosen.field}`, metrics.map((m) => [`${m.name}\u0000${m.field}`, `${m.name} › ${m.field}`]), (v) => {
        const [name, field] = v.split("\u0000");
        navigate(`/metrics${query({ name, field, fn, range })}`);
      }),
      select("Per", groupBy, [["", "all events"], ...chosen.groupBy.map((g) => [g, g])], (v) => go({ groupBy: v })),
      select("Statistic", fn, FNS.map((f) => [f, f]), (v) => go({ fn: v })),
      h("nav", { class: "tabs", "aria-label": "Range" }, Object.entries(RANGES).map(([key, r]) =>
        h("a", { href: `/metrics${query({ name: chosen.name, field: chosen.field, groupBy, fn, range: key })}`, "aria-current": key === range ? "true" : "false" }, r.label)))),
    h("p", { class: "muted" }, `${fn} of ${chosen.field} of “${chosen.name}” per ${bucket}${groupBy ? `, per ${groupBy} (the ${data.groups.length} with the most values${data.other ? ", the rest as other" : ""})` : ""}. ${data.all.count.toLocaleString()} values.`),
    data.all.count
      ? h("figure", { class: "chart" },
          timeChart({
            x: data.buckets.map((b) => new Date(b).getTime() / 1000),
            series: shown.map((s, k) => ({ label: s.group ?? "all", values: s.values[fn], color: COLORS[k % COLORS.length] })),
            label: `${fn} of ${chosen.field} per ${bucket}${groupBy ? ` per ${groupBy}` : ""}; the table below has each group's figures.`,
          }),
          h("figcaption", {}, h("ul", { class: "legend" }, shown.map((s, k) => h("li", {}, h("span", { class: "swatch", style: `background:${COLORS[k % COLORS.length]}` }), s.group ?? "all events")))))
      : h("p", { class: "empty" }, "No values in this range."),
    table(groupBy, [data.all, ...series]));
}

function table(groupBy, rows) {
  const number = (v) => (v === null || v === undefined ? "–" : Number(v).toLocaleString(undefined, { maximumFractionDigits: 2 }));
  return h("div", { class: "table-wrap" }, h("table", {},
    h("caption", { class: "visually-hidden" }, groupBy ? `Per ${groupBy}` : "All events"),
    h("thead", {}, h("tr", {}, [groupBy || "Events", "Values", "p50", "p95", "p99", "max"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map((s) => h("tr", {},
      h("td", {}, s.group ?? "all events"),
      h("td", {}, s.count.toLocaleString()),
      ["p50", "p95", "p99", "max"].map((f) => h("td", {}, number(s.total[f]))))))));
}
