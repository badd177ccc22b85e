import { get } from "./api.js";
import { h, mount, time } from "./ui.js";
import { sparkline, COLORS } from "./plots.js";

/** The project's KPIs as cards: the value now, when it changed, and its recent course. */
export async function insightsPage() {
  const { insights } = await get("/v1/insights?history=50");
  mount(
    h("h1", {}, "Insights"),
    insights.length
      ? h("ul", { class: "kpis", "aria-label": "Insights" }, insights.map((i, k) => h("li", { class: "kpi" },
          h("div", { class: "kpi-title" }, i.icon ? h("span", { "aria-hidden": "true" }, `${i.icon} `) : null, i.title),
          h("div", { class: "kpi-value" }, format(i.value)),
          h("div", { class: "muted small" }, "updated ", time(i.updatedAt)),
          sparkline(i.history || [], COLORS[k % COLORS.length]),
          trend(i.history || []))))
      : h("div", { class: "empty" },
          h("p", {}, "No insights yet. Apps set them with an ingest key:"),
          h("pre", {}, 'curl -X POST …/v1/insights -H "Authorization: Bearer op_ingest_…" -d \'{"title": "MRR", "value": 1200, "icon": "💵"}\'')));
}

const format = (value) => (typeof value === "number" ? value.toLocaleString() : typeof value === "boolean" ? (value ? "yes" : "no") : String(value));

/** The change over the shown history, in words, for screen readers and a glance. */
function trend(history) {
  const numbers = history.map((p) => Number(p.value)).filter((n) => !isNaN(n));
  if (numbers.length < 2) return null;
  const change = numbers[numbers.length - 1] - numbers[0];
  return h("div", { class: "small" }, `${change > 0 ? "+" : ""}${change.toLocaleString()} over the last ${numbers.length} values`);
}
