// The shell: which page shows for which path, the header, and the sign-in page. Pages never
// import this module; they move with router.js and change the project through session.js.
import { ApiError } from "./api.js";
import { startRouter } from "./router.js";
import { session, refreshSession, signIn, selectProject, onProjectChanged, onSignedOut } from "./session.js";
import { h, mount, showProblem } from "./ui.js";
import { feedPage, eventPage } from "./feed.js";
import { contextsPage, contextPage } from "./contexts.js";
import { alertsPage } from "./alerts.js";
import { checksPage, checkPage, checkEditorPage } from "./checks.js";
import { rulesPage, ruleEditorPage } from "./rules.js";
import { channelsPage } from "./channels.js";
import { chartsPage } from "./charts.js";
import { usersPage, userPage } from "./users.js";
import { insightsPage } from "./insights.js";
import { metricsPage, savedMetricEditorPage } from "./metrics.js";
import { settingsPage } from "./settings.js";

// Path → page. Paths match the links push notifications carry (/events/{id}, /contexts/{id}, /alerts/{id}).
const routes = [
  [/^\/$/, "feed", () => feedPage()],
  [/^\/events\/([^/]+)$/, "feed", (id) => eventPage(id)],
  [/^\/contexts$/, "contexts", () => contextsPage()],
  [/^\/contexts\/([^/]+)$/, "contexts", (id) => contextPage(id)],
  [/^\/alerts(?:\/([^/]+))?$/, "alerts", (id) => alertsPage(id)],
  [/^\/checks$/, "checks", () => checksPage()],
  [/^\/checks\/new$/, "checks", () => checkEditorPage()],
  [/^\/checks\/([^/]+)\/edit$/, "checks", (id) => checkEditorPage(id)],
  [/^\/checks\/([^/]+)$/, "checks", (id) => checkPage(id)],
  [/^\/rules$/, "rules", () => rulesPage()],
  [/^\/rules\/new$/, "rules", () => ruleEditorPage()],
  [/^\/rules\/([^/]+)$/, "rules", (id) => ruleEditorPage(id)],
  [/^\/channels$/, "channels", () => channelsPage()],
  [/^\/charts$/, "charts", () => chartsPage()],
  [/^\/users$/, "users", () => usersPage()],
  [/^\/users\/([^/]+)$/, "users", (id) => userPage(id)],
  [/^\/insights$/, "insights", () => insightsPage()],
  [/^\/metrics$/, "metrics", () => metricsPage()],
  [/^\/metrics\/new$/, "metrics", () => savedMetricEditorPage()],
  [/^\/settings$/, "settings", () => settingsPage()],
];

let leave = null; // the current page's cleanup (closes its live feed)

async function render() {
  if (leave) { leave(); leave = null; }
  if (!session.current) return;
  const url = new URL(location.href);
  // A notification for another project opens /events/{id}?project=…: switch to it first.
  const wanted = url.searchParams.get("project");
  if (wanted && session.current.projects.some((p) => p.id === wanted) && wanted !== session.project) {
    selectProject(wanted, { rerender: false });
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

function renderProjects() {
  const select = document.getElementById("project");
  select.replaceChildren(...session.current.projects.map((p) => h("option", { value: p.id }, p.name)));
  select.value = session.project;
}

function signInPage() {
  if (leave) { leave(); leave = null; }
  document.querySelector(".top").hidden = true;
  const form = h("form", { class: "signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, h("img", { src: "/icons/icon.svg", alt: "", width: 32, height: 32 }), "Sign in to Operational"),
    h("label", {}, "Username", h("input", { name: "username", autocomplete: "username", required: true, autocapitalize: "none", spellcheck: "false" })),
    h("label", {}, "Password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    h("button", { class: "primary", type: "submit" }, "Sign in"),
    h("p", { class: "muted small" }, "The first operator's password is printed when the installation first starts."));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      await signIn(form.elements.username.value, form.elements.password.value);
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
  startRouter(render);
  onProjectChanged(() => { if (session.current) renderProjects(); });
  onSignedOut(signInPage);
  document.getElementById("project").addEventListener("change", (e) => selectProject(e.target.value));
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
