import { get, query } from "./api.js";
import { h, mount, time } from "./ui.js";
import { eventCard } from "./events.js";
import { navigate } from "./router.js";

/** The project's users by last seen: search by part of the id, or by a property (plan:pro). */
export async function usersPage() {
  const params = new URLSearchParams(location.search);
  const q = params.get("q") || "";
  const property = params.get("property") || "";
  const rows = h("tbody");
  const more = h("div", { class: "actions-row" });
  const form = h("form", { class: "filters", role: "search", "aria-label": "Find users" },
    h("label", {}, "User id contains", h("input", { name: "q", value: q, placeholder: "user_123", autocomplete: "off" })),
    h("label", {}, "Property", h("input", { name: "property", value: property, placeholder: "plan:premium", autocomplete: "off" })),
    h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(form);
    navigate(`/users${query({ q: data.get("q") || "", property: data.get("property") || "" })}`);
  });
  mount(
    h("h1", {}, "Users"),
    h("p", { class: "muted" }, "People appear with their first event that has a userId, or when identified (POST /v1/users/{id}, LogSnag's /v1/identify)."),
    form,
    h("div", { class: "table-wrap" }, h("table", {},
      h("caption", { class: "visually-hidden" }, "Users"),
      h("thead", {}, h("tr", {}, ["User", "Last seen", "First seen", "Events", "Properties"].map((c) => h("th", { scope: "col" }, c)))),
      rows)),
    more);

  let cursor = null;
  async function load() {
    const page = await get(`/v1/users${query({ q, property, cursor, limit: 50 })}`);
    for (const u of page.users) rows.append(userRow(u));
    if (!rows.children.length) rows.append(h("tr", {}, h("td", { colspan: 5, class: "empty" }, q || property ? "No user matches." : "No users yet.")));
    cursor = page.nextCursor;
    more.replaceChildren(cursor ? h("button", { type: "button", onclick: load }, "Load more") : "");
  }
  await load();
}

function userRow(u) {
  const props = Object.entries(u.properties || {});
  return h("tr", {},
    h("td", {}, h("a", { href: `/users/${encodeURIComponent(u.userId)}` }, u.userId)),
    h("td", {}, u.lastSeen ? time(u.lastSeen) : "–"),
    h("td", {}, u.firstSeen ? time(u.firstSeen) : "–"),
    h("td", {}, (u.eventCount || 0).toLocaleString()),
    h("td", { class: "small" }, props.slice(0, 3).map(([k, v]) => `${k}: ${v}`).join(" · ") + (props.length > 3 ? ` · +${props.length - 3}` : "")));
}

/** One user: who they are (properties, groups) and what they did (their events over time, by day). */
export async function userPage(id) {
  const journey = await get(`/v1/users/${encodeURIComponent(id)}/journey${query({ limit: 50 })}`);
  const u = journey.user;
  const timeline = h("ol", { class: "journey", "aria-label": "Journey, newest first" });
  const more = h("div", { class: "actions-row" });
  const props = Object.entries(u.properties || {});
  mount(
    h("p", {}, h("a", { href: "/users" }, "← Users")),
    h("h1", {}, u.userId),
    h("dl", { class: "facts" },
      h("dt", {}, "First seen"), h("dd", {}, u.firstSeen ? time(u.firstSeen) : "not yet (identified only)"),
      h("dt", {}, "Last seen"), h("dd", {}, u.lastSeen ? time(u.lastSeen) : "–"),
      h("dt", {}, "Events"), h("dd", {}, (u.eventCount || 0).toLocaleString()),
      h("dt", {}, "Groups"), h("dd", {}, u.groups?.length ? u.groups.join(", ") : "none")),
    h("h2", {}, "Properties"),
    props.length
      ? h("div", { class: "table-wrap" }, h("table", {}, h("caption", { class: "visually-hidden" }, "Properties"),
          h("tbody", {}, props.map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, String(v)))))))
      : h("p", { class: "muted" }, "No properties: identify the user to add some."),
    h("h2", {}, "Journey"),
    journey.contexts.length ? h("p", { class: "small" }, "Flows: ", journey.contexts.map((c, i) => [i ? ", " : "", h("a", { href: `/contexts/${encodeURIComponent(c)}` }, c)])) : null,
    timeline, more);

  let day = null;
  function show(page) {
    for (const e of page.events) {
      const date = new Date(e.timestamp).toLocaleDateString([], { weekday: "long", year: "numeric", month: "long", day: "numeric" });
      if (date !== day) {
        day = date;
        timeline.append(h("li", { class: "day" }, h("h3", {}, date)));
      }
      timeline.append(h("li", {}, eventCard(e, { chain: false })));
    }
    if (!timeline.children.length) timeline.append(h("li", { class: "empty" }, "No events with this userId yet."));
    more.replaceChildren(page.nextCursor
      ? h("button", { type: "button", onclick: async () => show(await get(`/v1/users/${encodeURIComponent(id)}/journey${query({ limit: 50, cursor: page.nextCursor })}`)) }, "Older events")
      : "");
  }
  show(journey);
}
