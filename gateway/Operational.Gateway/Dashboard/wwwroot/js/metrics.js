import { get, post, del, query } from "./api.js";
import { h, mount, field, toast, showProblem, clearProblems, confirmDialog } from "./ui.js";
import { navigate } from "./router.js";
import { isAdmin } from "./session.js";
import { COLORS, timeChart } from "./plots.js";
import { matchFieldset, matchFromForm, describeMatch } from "./match.js";

const RANGES = { "24h": { hours: 24, bucket: "hour", label: "24 hours" }, "7d": { hours: 168, bucket: "hour", label: "7 days" }, "30d": { hours: 720, bucket: "day", label: "30 days" } };
const FNS = ["p50", "p95", "p99", "avg", "max", "count"];

/**
 * A numeric tag over time — of an event name, or of a saved metric (any conditions) — one
 * statistic per group as lines, and every group's figures in a table.
 */
export async function metricsPage() {
  const { metrics, saved } = await get("/v1/metrics/catalog");
  const saveLink = isAdmin() ? h("a", { class: "button", href: "/metrics/new" }, "Save a metric") : null;
  if (!metrics.length && !saved.length) {
    mount(h("h1", {}, "Metrics"),
      h("div", { class: "empty" },
        h("p", {}, "No numeric tags yet. Events with numbers in their tags are measured here, per any of their other tags:"),
        h("pre", {}, '{"name": "import finished", "tags": {"durationMs": 1530, "customer": "acme"}}'),
        h("p", {}, "To measure only the events that meet some conditions (a category, a level, tag values), save a metric."),
        saveLink));
    return;
  }

  const params = new URLSearchParams(location.search);
  const metric = saved.find((m) => m.key === params.get("metric"))
    || (params.get("name") ? null : (!metrics.length ? saved[0] : null));
  const chosen = metric ? null : (metrics.find((m) => m.name === params.get("name") && m.field === params.get("field")) || metrics[0]);
  const groups = metric ? (metric.groupBy ? [metric.groupBy] : []) : chosen.groupBy;
  const groupBy = groups.includes(params.get("groupBy")) ? params.get("groupBy") : (params.has("groupBy") ? "" : (groups[0] || ""));
  const fn = FNS.includes(params.get("fn")) ? params.get("fn") : "p95";
  const range = RANGES[params.get("range")] ? params.get("range") : "24h";
  const { hours, bucket } = RANGES[range];
  const from = new Date(Date.now() - hours * 3600 * 1000).toISOString();
  const what = metric ? { metric: metric.key } : { name: chosen.name, field: chosen.field };
  const data = await get(`/v1/metrics${query({ ...what, groupBy: metric ? undefined : groupBy, bucket, from, fn: "count,p50,p95,p99,max", top: 8 })}`);
  const measured = metric ? metric.field : chosen.field;

  const here = (change) => `/metrics${query({ ...what, groupBy, fn, range, ...change })}`;
  const select = (label, value, options, onchange) => h("label", {}, label,
    h("select", { onchange: (e) => onchange(e.target.value) }, options));
  const option = (value, text, current) => h("option", { value, selected: value === current }, text);
  const measure = metric ? `\u0001${metric.key}` : `${chosen.name}\u0000${chosen.field}`;
  const series = [...data.groups, ...(data.other ? [data.other] : [])];
  const shown = groupBy ? series : [data.all];
  const subject = metric ? `“${metric.title}” (${describeMatch(metric.match)})` : `“${chosen.name}”`;
  mount(
    h("h1", {}, "Metrics"),
    h("div", { class: "filters" },
      select("Measure", measure, [
        metrics.length ? h("optgroup", { label: "By event name" }, metrics.map((m) => option(`${m.name}\u0000${m.field}`, `${m.name} › ${m.field}`, measure))) : null,
        saved.length ? h("optgroup", { label: "Saved metrics" }, saved.map((m) => option(`\u0001${m.key}`, `${m.title} › ${m.field}`, measure))) : null,
      ], (v) => {
        // Saved metrics' values start with \u0001, event names' hold \u0000: neither can occur in a name.
        const [name, second] = v.split("\u0000");
        navigate(`/metrics${query(v.startsWith("\u0001") ? { metric: v.slice(1), fn, range } : { name, field: second, fn, range })}`);
      }),
      select("Per", groupBy, [option("", "all events", groupBy), ...groups.map((g) => option(g, g, groupBy))], (v) => navigate(here({ groupBy: v }))),
      select("Statistic", fn, FNS.map((f) => option(f, f, fn)), (v) => navigate(here({ fn: v }))),
      h("nav", { class: "tabs", "aria-label": "Range" }, Object.entries(RANGES).map(([key, r]) =>
        h("a", { href: here({ range: key }), "aria-current": key === range ? "true" : "false" }, r.label)))),
    h("p", { class: "muted" }, `${fn} of ${measured} of ${subject} per ${bucket}${groupBy ? `, per ${groupBy} (the ${data.groups.length} with the most values${data.other ? ", the rest as other" : ""})` : ""}. ${data.all.count.toLocaleString()} values`
      + (metric ? `, measured since ${new Date(metric.createdAt).toLocaleString()}.` : ".")),
    data.all.count
      ? h("figure", { class: "chart" },
          timeChart({
            x: data.buckets.map((b) => new Date(b).getTime() / 1000),
            series: shown.map((s, k) => ({ label: s.group ?? "all", values: s.values[fn], color: COLORS[k % COLORS.length] })),
            label: `${fn} of ${measured} per ${bucket}${groupBy ? ` per ${groupBy}` : ""}; the table below has each group's figures.`,
          }),
          h("figcaption", {}, h("ul", { class: "legend" }, shown.map((s, k) => h("li", {}, h("span", { class: "swatch", style: `background:${COLORS[k % COLORS.length]}` }), s.group ?? "all events")))))
      : h("p", { class: "empty" }, "No values in this range."),
    table(groupBy, groupBy ? [data.all, ...series] : [data.all]),
    h("div", { class: "actions-row" }, saveLink,
      metric && isAdmin() ? h("button", { type: "button", class: "danger", onclick: () => removeSaved(metric) }, "Delete saved metric") : null));
}

async function removeSaved(metric) {
  if (!(await confirmDialog("Delete saved metric", `Delete “${metric.title}”? Its values are deleted with it.`, "Delete"))) return;
  await del(`/v1/metrics/saved/${encodeURIComponent(metric.key)}`);
  toast("Saved metric deleted.");
  navigate("/metrics", { replace: true });
}

/** Saves a metric: a numeric tag of the events meeting the conditions, measured from now on. */
export async function savedMetricEditorPage() {
  const form = h("form", { novalidate: true, "aria-labelledby": "metric-title" },
    h("div", { class: "form-grid" },
      field("title", "Title", { maxlength: 100, placeholder: "Imports on the pro plan" }),
      field("key", "Key", { required: true, maxlength: 64, placeholder: "pro-imports" }, "a–z 0–9 - _; names it in URLs"),
      field("field", "Numeric tag", { required: true, placeholder: "durationMs" }),
      field("groupBy", "Per value of tag", { placeholder: "customer" }, "optional")),
    matchFieldset({}, "Which events it measures"),
    h("p", { class: "muted" }, "A saved metric measures the events received from its creation on."),
    h("div", { class: "actions-row" },
      h("button", { class: "primary", type: "submit" }, "Save metric"),
      h("a", { class: "button", href: "/metrics" }, "Cancel")));
  // A form's own title and key properties are not its inputs: reach them through elements.
  const { title, key } = form.elements;
  title.addEventListener("input", () => {
    if (!key.dataset.edited) key.value = title.value.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
  });
  key.addEventListener("input", () => { key.dataset.edited = "1"; });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearProblems(form);
    const value = (name) => form.elements[name].value.trim() || undefined;
    try {
      const saved = await post("/v1/metrics/saved", { key: value("key"), title: value("title"), field: value("field"), groupBy: value("groupBy"), match: matchFromForm(form) });
      toast("Metric saved.");
      navigate(`/metrics${query({ metric: saved.key })}`, { replace: true });
    } catch (error) {
      showProblem(form, error, form);
    }
  });
  mount(h("p", {}, h("a", { href: "/metrics" }, "← Metrics")), h("h1", { id: "metric-title" }, "Save a metric"), form);
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
