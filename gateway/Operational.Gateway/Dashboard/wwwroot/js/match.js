import { h, field } from "./ui.js";

/** "Which events count": the match language's fields, as the rules editor and the saved-metric form both ask them. */
export function matchFieldset(match = {}, legend = "Which events count") {
  const nameMode = match.name ? Object.keys(match.name)[0] : "equals";
  return h("fieldset", {}, h("legend", {}, legend),
    h("div", { class: "form-grid" },
      h("label", {}, "Event name",
        h("span", { class: "actions-row" },
          h("select", { name: "nameMode", "aria-label": "How the name matches" }, ["equals", "prefix", "contains"].map((m) => h("option", { value: m, selected: m === nameMode }, m))),
          h("input", { name: "nameValue", "data-field": "match.name", value: match.name?.[nameMode] || "", placeholder: "lead created", "aria-label": "Event name" }))),
      field("match.category", "Category", { value: match.category || "" }),
      h("label", {}, "Level", h("select", { name: "match.level", "data-field": "match.level" }, ["", "info", "success", "warning", "error"].map((l) => h("option", { value: l, selected: l === (match.level || "") }, l || "any")))),
      field("match.userId", "User id", { value: match.userId || "" }),
      h("label", {}, "Tags (key=value, one per line)", h("textarea", { name: "match.tags", "data-field": "match.tags", rows: 2 }, Object.entries(match.tags || {}).map(([k, v]) => `${k}=${v}`).join("\n"))),
      h("label", { class: "inline" }, h("input", { type: "checkbox", name: "match.includeTest", checked: !!match.includeTest }), "Count test events too")));
}

/** The API's match JSON from a form holding {@link matchFieldset}: empty inputs left out, tag values typed. */
export function matchFromForm(form) {
  const value = (name) => form.elements[name]?.value.trim() ?? "";
  const text = (name) => value(name) || undefined;
  const tags = Object.fromEntries(value("match.tags").split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
    const i = l.indexOf("=");
    const raw = i < 0 ? "" : l.slice(i + 1).trim();
    const parsed = raw === "true" ? true : raw === "false" ? false : raw !== "" && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    return [i < 0 ? l : l.slice(0, i).trim(), parsed];
  }));
  return {
    name: value("nameValue") ? { [form.nameMode.value]: value("nameValue") } : undefined,
    category: text("match.category"), level: text("match.level"), userId: text("match.userId"),
    tags: Object.keys(tags).length ? tags : undefined,
    includeTest: form.elements["match.includeTest"].checked || undefined,
  };
}

/** The conditions in a line: “import …” in imports, plan = pro. */
export function describeMatch(match = {}) {
  const parts = [];
  if (match.name) parts.push(match.name.equals ? `“${match.name.equals}”` : match.name.prefix ? `“${match.name.prefix}…”` : `names containing “${match.name.contains}”`);
  if (match.category) parts.push(`in ${match.category}`);
  if (match.level) parts.push(`at ${match.level}`);
  if (match.userId) parts.push(`of user ${match.userId}`);
  parts.push(...Object.entries(match.tags || {}).map(([k, v]) => `${k} = ${v}`));
  return parts.length ? parts.join(", ") : "every event";
}
