import { api, state, setProject, ApiError } from "./api.js";
import { h, mount, showProblem } from "./ui.js";
import { feedPage, eventPage } from "./feed.js";
import { contextsPage, contextPage } from "./contexts.js";
import { alertsPage } from "./alerts.js";
import { rulesPage, ruleEditorPage } from "./rules.js";
import { channelsPage } from "./channels.js";
import { chartsPage } from "./charts.js";
import { settingsPage } from "./settings.js";

// Path → page. Paths match the links push notifications carry (/events/{id}, /contexts/{id}, /alerts/{id}).
const routes = [
  [/^\/$/, "feed", () => feedPage()],
  [/^\/events\/([^/]+)$/, "feed", (id) => eventPage(id)],
  [/^\/contexts$/, "contexts", () => contextsPage()],
  [/^\/contexts\/([^/]+)$/, "contexts", (id) => contextPage(id)],
  [/^\/alerts(?:\/([^/]+))?$/, "alerts", (id) => alertsPage(id)],
  [/^\/rules$/, "rules", () => rulesPage()],
  [/^\/rules\/new$/, "rules", () => ruleEditorPage()],
  [/^\/rules\/([^/]+)$/, "rules", (id) => ruleEditorPage(id)],
  [/^\/channels$/, "channels", () => channelsPage()],
  [/^\/charts$/, "charts", () => chartsPage()],
  [/^\/settings$/, "settings", () => settingsPage()],
];

let leave = null; // the current page's cleanup (closes its live feed)

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path); else history.pushState(null, "", path);
  render();
}

async function render() {
  if (leave) { leave(); leave = null; }
  const url = new URL(location.href);
  // A notification for another project opens /events/{id}?project=…: switch to it first.
  const wanted = url.searchParams.get("project");
  if (wanted && state.session?.projects.some((p) => p.id === wanted) && wanted !== state.project) {
    selectProject(wanted, false);
  }
  const path = decodeURI(url.pathname).replace(/\/+$/, "") || "/";
  const route = routes.find(([pattern]) => pattern.test(path));
  document.querySelectorAll("[data-nav]").forEach((a) => {
    if (route && a.dataset.nav === route[1]) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  if (!route) {
    mount(h("h1", {}, "Not found"), h("p", {}, "There is no page here. ", h("a", { href: "/" }, "Back to the feed")));
    return;
  }
  const match = path.match(route[0]);
  try {
    leave = (await route[2](...match.slice(1).map((p) => p && decodeURIComponent(p)))) || null;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status !== 401) showProblem(mount(h("h1", {}, "Could not load this page")), error);
  }
  const heading = document.querySelector("main h1");
  document.title = heading ? `${heading.textContent} · Operational` : "Operational";
}

function selectProject(id, rerender = true) {
  setProject(id);
  document.getElementById("project").value = id;
  if (rerender) render();
}

function renderProjects() {
  const select = document.getElementById("project");
  select.replaceChildren(...state.session.projects.map((p) => h("option", { value: p.id }, p.name)));
  if (!state.session.projects.some((p) => p.id === state.project)) setProject(state.session.projects[0]?.id || "default");
  select.value = state.project;
}

export async function refreshSession() {
  state.session = await api("GET", "/v1/session");
  renderProjects();
}

function signInPage() {
  document.querySelector(".top").hidden = true;
  const form = h("form", { class: "signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, h("img", { src: "/icons/icon.svg", alt: "", width: 32, height: 32 }), "Sign in to Operational"),
    h("label", {}, "Username", h("input", { name: "username", autocomplete: "username", required: true, autocapitalize: "none", spellcheck: "false" })),
    h("label", {}, "Password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    h("button", { class: "primary", type: "submit" }, "Sign in"),
    h("p", { class: "muted small" }, "The first operator's password is printed when the installation first starts."));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      state.session = await api("POST", "/v1/session", data);
      await start();
    } catch (error) {
      showProblem(form, error);
      form.querySelector("[name=password]").select();
    } finally {
      button.disabled = false;
    }
  });
  mount(form);
  form.querySelector("input").focus();
}

async function start() {
  renderProjects();
  document.querySelector(".top").hidden = false;
  await render();
}

async function boot() {
  document.getElementById("project").addEventListener("change", (e) => selectProject(e.target.value));
  document.addEventListener("click", (e) => {
    const a = e.target.closest("a[href]");
    if (!a || a.target || a.hasAttribute("download") || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/v1/") || url.pathname.startsWith("/hangfire")) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
    document.getElementById("main").focus({ preventScroll: true });
    window.scrollTo(0, 0);
  });
  window.addEventListener("popstate", render);
  window.addEventListener("op:signed-out", () => { if (state.session) { state.session = null; signInPage(); } });
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
  try {
    await refreshSession();
  } catch {
    signInPage();
    return;
  }
  await start();
}

boot();
