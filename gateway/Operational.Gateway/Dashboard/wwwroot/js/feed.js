import { get, query } from "./api.js";
import { navigate } from "./router.js";
import { session } from "./session.js";
import { h, mount, showProblem } from "./ui.js";
import { eventCard, actionRuns } from "./events.js";

const FILTERS = ["category", "q", "level", "tag", "userId", "name", "from", "to", "test"];

/** The feed: newest first, live over server-sent events, more loaded as you scroll. Filters live in the URL. */
export async function feedPage() {
  const params = new URLSearchParams(location.search);
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) || ""]));
  const test = filters.test === "true";
  const shown = new Set();

  const list = h("ol", { class: "events", "aria-label": "Events", "aria-live": "off" });
  const live = h("span", { class: "live", role: "status" }, "Connecting…");
  const sentinel = h("div", { class: "sentinel" });
  const more = h("p", { class: "more" });
  const categories = h("ul", {});
  const filterForm = filterBar(filters);

  mount(
    h("h1", { class: "visually-hidden" }, test ? "Test events" : "Feed"),
    h("div", { class: "feed-layout" },
      h("nav", { class: "sidebar", "aria-label": "Categories" }, categories),
      h("section", { "aria-label": "Events" },
        filterForm,
        h("div", { class: "actions-row" }, live, test ? h("strong", {}, "Showing test events") : null),
        list, sentinel, more)));

  // Category counts: read once, then kept current by the live feed.
  const counts = new Map();
  const link = (name, label, count) => {
    const number = h("span", { class: "muted" }, count === null ? "" : count.toLocaleString());
    if (name) counts.set(name, { number, count });
    return h("li", {}, h("a", {
      href: `/${query({ ...filters, category: name })}`,
      "aria-current": (filters.category || "") === (name || "") ? "true" : "false",
    }, h("span", {}, label), number));
  };
  categories.append(link("", "All events", null));
  get(`/v1/categories${query({ test: test ? "true" : "" })}`).then((data) => {
    categories.append(...data.categories.filter((c) => !counts.has(c.name)).map((c) => link(c.name, `#${c.name}`, c.count)));
  }).catch(() => {});
  const countLive = (e) => {
    if (!e.category) return;
    const entry = counts.get(e.category);
    if (!entry) { categories.children[0].after(link(e.category, `#${e.category}`, 1)); return; }
    entry.count += 1;
    entry.number.textContent = entry.count.toLocaleString();
  };

  let cursor = null;
  let loading = false;
  let done = false;
  async function loadMore() {
    if (loading || done) return;
    loading = true;
    more.textContent = "Loading…";
    try {
      const page = await get(`/v1/events${query({ ...filters, test: test ? "true" : "", limit: 50, cursor })}`);
      for (const e of page.events) {
        if (shown.has(e.id)) continue;
        shown.add(e.id);
        list.append(h("li", {}, eventCard(e)));
      }
      cursor = page.nextCursor || null;
      done = !cursor;
      more.textContent = done ? (shown.size ? "That's all." : "") : "";
      if (!shown.size) list.replaceChildren(h("li", { class: "empty" }, hasFilters(filters) ? "No event matches these filters." : "No events yet. Send one with curl (see the README) and it appears here at once."));
    } catch (error) {
      showProblem(list.parentElement, error);
      more.textContent = "";
    } finally {
      loading = false;
    }
  }

  const observer = new IntersectionObserver((entries) => { if (entries.some((x) => x.isIntersecting)) loadMore(); }, { rootMargin: "600px" });
  await loadMore();
  observer.observe(sentinel);

  // Live: every stored event of the project; the ones matching the filters go on top.
  const source = new EventSource(`/v1/events/stream${query({ project: session.project, test: test ? "true" : "" })}`);
  source.addEventListener("open", () => { live.textContent = "Live"; live.classList.add("on"); });
  source.addEventListener("error", () => { live.textContent = "Reconnecting…"; live.classList.remove("on"); });
  source.addEventListener("event", (message) => {
    const e = JSON.parse(message.data);
    if (!shown.has(e.id)) countLive(e);
    if (shown.has(e.id) || !matches(e, filters)) return;
    shown.add(e.id);
    list.querySelector("li.empty")?.remove();
    list.prepend(h("li", {}, eventCard(e, { fresh: true })));
  });
  return () => { source.close(); observer.disconnect(); };
}

function hasFilters(filters) {
  return FILTERS.some((f) => f !== "test" && filters[f]);
}

/**
 * One compact bar: search, level, tag, user, a time range behind its own button, test events.
 * On a phone the filters past the search fold away behind a "Filters" button.
 */
function filterBar(filters) {
  const field = (label, input) => h("label", {}, h("span", { class: "visually-hidden" }, label), input);
  const timeSet = Boolean(filters.from || filters.to);
  const extraSet = ["level", "tag", "userId"].some((f) => filters[f]) || timeSet;
  const extra = h("div", { class: `extra${extraSet ? "" : " folded"}`, id: "more-filters" },
    field("Level", h("select", { name: "level", title: "Level" }, ["", "info", "success", "warning", "error"].map((l) => h("option", { value: l, selected: l === filters.level }, l ? l : "any level")))),
    field("Tag", h("input", { name: "tag", value: filters.tag, placeholder: "tag key:value", title: "Tag (key:value)" })),
    field("User", h("input", { name: "userId", value: filters.userId, placeholder: "user id", title: "User" })),
    h("details", { class: "time-range", open: false },
      h("summary", { class: "button" }, timeSet ? "Time: set ▾" : "Time ▾"),
      h("div", { class: "time-panel" },
        h("label", {}, "From", h("input", { type: "datetime-local", name: "from", value: local(filters.from) })),
        h("label", {}, "To", h("input", { type: "datetime-local", name: "to", value: local(filters.to) })))));
  const toggle = h("button", { type: "button", class: "more-toggle", "aria-controls": "more-filters", "aria-expanded": String(extraSet) }, "Filters");
  toggle.addEventListener("click", () => {
    const folded = extra.classList.toggle("folded");
    toggle.setAttribute("aria-expanded", String(!folded));
  });
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter events" },
    field("Search", h("input", { type: "search", name: "q", value: filters.q, placeholder: "Search names and text" })),
    toggle,
    extra,
    h("label", { class: "inline" }, h("input", { type: "checkbox", name: "test", value: "true", checked: filters.test === "true" }), "Test events"),
    h("button", { type: "submit", class: "primary" }, "Apply"),
    hasFilters(filters) || filters.test ? h("a", { class: "button", href: "/" }, "Clear") : null);
  const apply = () => {
    const data = Object.fromEntries(new FormData(form));
    const next = { category: filters.category, ...data, from: iso(data.from), to: iso(data.to), test: data.test ? "true" : "" };
    navigate(`/${query(next)}`);
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); apply(); });
  form.querySelector("[name=test]").addEventListener("change", apply);
  form.querySelector("[name=level]").addEventListener("change", apply);
  return form;
}

const local = (value) => (value ? new Date(new Date(value).getTime() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16) : "");
const iso = (value) => (value ? new Date(value).toISOString() : "");

/** The server's filters, applied to a live event (search: whole words, as the index matches them). */
function matches(e, f) {
  if (f.category && e.category !== f.category) return false;
  if (f.level && e.level !== f.level) return false;
  if (f.userId && e.userId !== f.userId) return false;
  if (f.name && e.name !== f.name) return false;
  if (f.to && new Date(e.timestamp) >= new Date(f.to)) return false;
  if (f.from && new Date(e.timestamp) < new Date(f.from)) return false;
  if (f.tag) {
    const i = f.tag.indexOf(":");
    if (String(e.tags?.[f.tag.slice(0, i)]) !== f.tag.slice(i + 1)) return false;
  }
  if (f.q) {
    const text = `${e.name} ${typeof e.content === "string" ? e.content : ""}`.toLocaleLowerCase();
    const words = new Set(text.split(/[^\p{L}\p{N}]+/u));
    if (!f.q.toLocaleLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean).every((w) => words.has(w))) return false;
  }
  return true;
}

/** One event's own page: what a push notification or a shared link opens. */
export async function eventPage(id) {
  const e = await get(`/v1/events/${encodeURIComponent(id)}`);
  mount(
    h("p", {}, h("a", { href: "/" }, "← Feed")),
    h("h1", {}, `${e.avatar ? `${e.avatar} ` : ""}${e.name}`),
    eventCard(e),
    await actionRuns(e),
    h("details", {}, h("summary", {}, "Raw event"), h("pre", { class: "json small" }, JSON.stringify(e, null, 2))));
}
