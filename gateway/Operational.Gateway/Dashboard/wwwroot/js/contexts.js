import { get, query } from "./api.js";
import { h, mount, time, duration, formatExact } from "./ui.js";
import { eventCard } from "./events.js";

const STATUSES = ["", "open", "completed", "failed", "stalled"];

export async function contextsPage() {
  const params = new URLSearchParams(location.search);
  const status = params.get("status") || "";
  const list = h("ul", { class: "list", "aria-label": "Contexts" });
  const more = h("div", { class: "actions-row" });
  mount(
    h("h1", {}, "Contexts"),
    h("nav", { class: "tabs", "aria-label": "Filter by status" },
      STATUSES.map((s) => h("a", { href: `/contexts${query({ status: s })}`, "aria-current": s === status ? "true" : "false" }, s || "all"))),
    list, more);

  let cursor = null;
  async function load() {
    const page = await get(`/v1/contexts${query({ status, cursor, limit: 50 })}`);
    for (const c of page.contexts) list.append(h("li", {}, contextRow(c)));
    if (!list.children.length) list.append(h("li", { class: "empty" }, "No contexts yet: events that share a contextId form one (a cron run, a signup flow)."));
    cursor = page.nextCursor;
    more.replaceChildren(cursor ? h("button", { type: "button", onclick: load }, "Load more") : "");
  }
  await load();
}

function contextRow(c) {
  return h("div", { class: "row" },
    h("div", {},
      h("div", { class: "title" }, h("a", { href: `/contexts/${encodeURIComponent(c.contextId)}` }, `${c.avatar || "⛓"} ${c.title || c.contextId}`)),
      h("div", { class: "meta" }, c.category ? h("span", { class: "chip" }, `#${c.category}`) : null, h("span", {}, `${c.eventCount} events`), time(c.firstEventAt))),
    h("div", {}, h("span", { class: `status status-${c.status}` }, c.status), " ", h("span", { class: "muted" }, duration(c.durationMs))));
}

/** One context as a timeline: status, duration, and its events in order with their offsets from the first. */
export async function contextPage(id) {
  const detail = await get(`/v1/contexts/${encodeURIComponent(id)}`);
  const c = detail.context;
  const start = new Date(c.firstEventAt).getTime();
  const item = (label, value) => h("div", {}, h("dt", {}, label), h("dd", {}, value));
  mount(
    h("p", {}, h("a", { href: "/contexts" }, "← Contexts")),
    h("h1", {}, `${c.avatar || "⛓"} ${c.title || c.contextId}`),
    h("dl", { class: "summary-grid" },
      item("Status", h("span", { class: `status status-${c.status}` }, c.status)),
      item("Duration", duration(c.durationMs)),
      item("Events", String(c.eventCount)),
      item("Started", formatExact(c.firstEventAt)),
      item("Last event", formatExact(c.lastEventAt)),
      c.stallsAt ? item(c.status === "stalled" ? "Stalled at" : "Stalls at", formatExact(c.stallsAt)) : null,
      item("Context id", c.contextId)),
    detail.eventsError ? h("p", { class: "problem" }, `Events could not be read: ${detail.eventsError}`) : null,
    h("h2", {}, "Timeline"),
    h("ol", { class: "timeline", "aria-label": "Events in order" },
      (detail.events || []).map((e) => h("li", {},
        h("div", { class: "offset" }, `+${duration(new Date(e.timestamp).getTime() - start)}`),
        eventCard(e, { chain: false })))),
    detail.eventsTruncated ? h("p", { class: "muted" }, "Only the latest 1,000 events are shown.") : null);
}
