// How an event looks, wherever it is shown: feed, event page, context timeline.
import { get, post } from "./api.js";
import { h, time, confirmDialog } from "./ui.js";

export function eventCard(e, { chain = true, fresh = false } = {}) {
  const card = h("article", { class: `card${fresh ? " fresh" : ""}`, "aria-labelledby": `ev-${e.id}`, dataset: { eventId: e.id } },
    h("div", { class: "card-head" },
      h("div", { class: "avatar", "aria-hidden": "true" }, e.avatar || "•"),
      h("div", {},
        h("div", { class: "card-title", id: `ev-${e.id}` }, h("a", { href: `/events/${encodeURIComponent(e.id)}` }, e.name)),
        h("div", { class: "meta" },
          h("span", { class: `level level-${e.level}` }, e.level),
          e.category ? h("a", { class: "chip", href: `/?category=${encodeURIComponent(e.category)}` }, `#${e.category}`) : null,
          time(e.timestamp),
          e.userId ? h("a", { class: "chip", href: `/?userId=${encodeURIComponent(e.userId)}`, title: "Events of this user" }, `👤 ${e.userId}`) : null,
          e.test ? h("span", { class: "chip" }, "test") : null,
          e.backfilled ? h("span", { class: "chip", title: "Sent with a past timestamp: history, never notified" }, "backfilled") : null,
          Object.entries(e.tags || {}).map(([k, v]) => h("a", { class: "chip", href: `/?tag=${encodeURIComponent(`${k}:${v}`)}` }, `${k}: ${v}`)),
          (e.warnings || []).map((w) => h("span", { class: "chip", title: w }, "⚠ truncated"))))),
    content(e));
  if (e.actions?.length) card.append(actionButtons(e));
  if (e.contextId && chain) card.append(contextChain(e));
  return card;
}

function content(e) {
  if (e.content === undefined || e.content === null) return null;
  const box = h("div", { class: "content" });
  switch (e.type) {
    case "rows":
      box.append(h("dl", { class: "rows" }, e.content.flatMap((row) => [h("dt", {}, row.label), h("dd", {}, rowValue(row))])));
      break;
    case "json":
      box.append(jsonTree(e.content));
      break;
    case "image":
      box.append(h("img", { src: e.content, alt: `Image of ${e.name}`, loading: "lazy", referrerpolicy: "no-referrer" }));
      break;
    default:
      box.append(h("p", { class: "content-text" }, String(e.content)));
  }
  return box;
}

function rowValue(row) {
  if (row.type === "image") return h("img", { src: row.content, alt: row.label, loading: "lazy", referrerpolicy: "no-referrer" });
  if (row.type === "json") return jsonTree(row.content);
  return String(row.content);
}

/** JSON as a tree of <details>: objects and arrays collapse, the first two levels start open. */
function jsonTree(value) {
  return h("div", { class: "json" }, jsonNode(value, 0, null));
}

function jsonNode(value, depth, label) {
  const key = label === null ? null : h("span", { class: "key" }, `${label}: `);
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const open = Array.isArray(value) ? "[" : "{";
    return h("details", { open: depth < 2 },
      h("summary", {}, key, `${open} ${entries.length} ${Array.isArray(value) ? "items" : "keys"} ${open === "[" ? "]" : "}"}`),
      entries.map(([k, v]) => jsonNode(v, depth + 1, String(k))));
  }
  const cls = typeof value === "string" ? "str" : typeof value === "number" ? "num" : "lit";
  return h("div", { class: "entry" }, key, h("span", { class: cls }, JSON.stringify(value)));
}

function actionButtons(e) {
  const row = h("div", { class: "card-actions" });
  for (const action of e.actions) {
    if (action.external) {
      row.append(h("a", { class: "button", href: action.url, target: "_blank", rel: "noopener noreferrer" }, `${action.buttonText} ↗`));
      continue;
    }
    const status = h("span", { class: "action-status", role: "status" });
    const button = h("button", {
      type: "button",
      onclick: async () => {
        if (!(await confirmDialog(action.buttonText, `Run “${action.buttonText}” for “${e.name}”? This calls the sender's ${new URL(action.url).host}.`, action.buttonText))) return;
        button.disabled = true;
        status.textContent = "Running…";
        try {
          const run = await post(`/v1/events/${encodeURIComponent(e.id)}/actions/${encodeURIComponent(action.key)}`);
          status.textContent = run.status === "done" ? "✓ Done" : `✗ Failed${run.statusCode ? ` (${run.statusCode})` : ""}${run.error ? `: ${run.error}` : ""}`;
          status.className = `action-status status-${run.status === "done" ? "succeeded" : "failed"}`;
          if (run.status !== "done" || action.repeat) button.disabled = false;
        } catch (error) {
          status.textContent = `✗ ${error.message}`;
          status.className = "action-status status-failed";
          button.disabled = error.status === 409;
        }
      },
    }, action.buttonText);
    row.append(h("span", {}, button, " ", status));
  }
  return row;
}

function contextChain(e) {
  const box = h("div", { class: "chain" });
  const toggle = h("button", {
    type: "button", "aria-expanded": "false",
    onclick: async () => {
      if (toggle.getAttribute("aria-expanded") === "true") {
        toggle.setAttribute("aria-expanded", "false");
        box.querySelector("ol")?.remove();
        return;
      }
      toggle.setAttribute("aria-expanded", "true");
      try {
        const detail = await get(`/v1/contexts/${encodeURIComponent(e.contextId)}`);
        box.append(h("ol", { class: "list small", "aria-label": "Events of this context" },
          (detail.events || []).map((c) => h("li", {},
            c.id === e.id ? h("strong", {}, `${c.avatar || "•"} ${c.name}`) : h("a", { href: `/events/${encodeURIComponent(c.id)}` }, `${c.avatar || "•"} ${c.name}`),
            " ", h("span", { class: "muted" }, time(c.timestamp))))));
      } catch (error) {
        box.append(h("ol", { class: "list small" }, h("li", { class: "muted" }, error.message)));
      }
    },
  }, "Show chain");
  box.append(h("div", { class: "small" }, "Context ", h("a", { href: `/contexts/${encodeURIComponent(e.contextId)}` }, e.contextId), " ", toggle));
  return box;
}

/** The runs of an event's actions, for its page. */
export async function actionRuns(e) {
  if (!e.actions?.some((a) => !a.external)) return null;
  const runs = await get(`/v1/events/${encodeURIComponent(e.id)}/actions`).catch(() => null);
  const list = runs?.runs || [];
  return h("section", { "aria-labelledby": "runs-title" },
    h("h2", { id: "runs-title" }, "Action runs"),
    list.length === 0 ? h("p", { class: "muted" }, "No action was run yet.") :
      h("div", { class: "table-wrap" }, h("table", {},
        h("thead", {}, h("tr", {}, ["Action", "Status", "By", "When", "Answer"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, list.map((r) => h("tr", {},
          h("td", {}, r.actionKey), h("td", { class: `status status-${r.status === "done" ? "succeeded" : r.status}` }, r.status),
          h("td", {}, r.pressedBy || "–"), h("td", {}, time(r.createdAt)),
          h("td", {}, r.statusCode ? `${r.statusCode}` : (r.error || "–"))))))));
}

