import { get, post, put, del } from "./api.js";
import { navigate } from "./router.js";
import { session, isAdmin, refreshSession, selectProject, signOut } from "./session.js";
import { h, mount, time, toast, showProblem, clearProblems, confirmDialog, copyButton } from "./ui.js";
import { pushState, turnPushOn, turnPushOff } from "./push.js";

export async function settingsPage() {
  const admin = isAdmin();
  const [keys, operators, push] = await Promise.all([
    admin ? get("/v1/keys") : null,
    admin ? get("/v1/operators") : null,
    pushState(),
  ]);
  const me = session.current.operator;
  mount(
    h("h1", {}, "Settings"),
    pushSection(push),
    admin ? projectsSection() : null,
    admin ? keysSection(keys.keys) : null,
    admin ? operatorsSection(operators.operators, me) : null,
    accountSection(me));
}

function pushSection(push) {
  const status = h("p", { role: "status" }, push.message);
  const toggle = h("button", {
    type: "button", class: push.on ? "" : "primary", "aria-pressed": push.on ? "true" : "false", disabled: !push.supported,
    onclick: async () => {
      toggle.disabled = true;
      try {
        if (push.on) await turnPushOff(); else await turnPushOn();
        toast(push.on ? "Push is off on this device." : "Push is on: this device gets this project's notifications.");
      } catch (error) {
        toast(error.message, "error");
      }
      settingsPage();
    },
  }, push.on ? "Turn push off" : "Turn push on");
  return h("section", { "aria-labelledby": "push-title" },
    h("h2", { id: "push-title" }, "Push on this device"),
    status, h("div", { class: "actions-row" }, toggle),
    h("p", { class: "muted small" }, "Push covers the events sent with notify, and the alerts of rules that name a web push channel. Install the app (browser menu → Install) to get them like any app's."));
}

function projectsSection() {
  const section = h("section", { "aria-labelledby": "projects-title" }, h("h2", { id: "projects-title" }, "Projects"));
  const list = h("ul", { class: "list" }, session.current.projects.map((p) => h("li", {}, h("div", { class: "row" },
    h("div", {}, h("div", { class: "title" }, p.name), h("div", { class: "meta" }, h("span", { class: "chip" }, p.id), p.id === session.project ? h("span", {}, "current") : null)),
    p.id !== session.project ? h("button", { type: "button", onclick: () => selectProject(p.id) }, "Switch") : null))));
  const form = h("form", { class: "form-grid", novalidate: true, "aria-label": "New project" },
    h("label", {}, "New project name", h("input", { name: "name", "data-field": "name", required: true, placeholder: "Shop backend" })),
    h("label", {}, "Id (optional)", h("input", { name: "id", "data-field": "id", placeholder: "shop" })),
    h("button", { type: "submit" }, "Create project"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearProblems(section);
    try {
      const created = await post("/v1/projects", { name: form.elements.name.value, id: form.elements.id.value || undefined });
      await refreshSession();
      await settingsPage();
      document.getElementById("main").prepend(secretCard(`Project ${created.project.name} created. Its keys, shown only now:`,
        [["Admin key", created.adminKey.key], ["Ingest key", created.ingestKey.key]]));
    } catch (error) {
      showProblem(section, error, form);
    }
  });
  section.append(list, form);
  return section;
}

function secretCard(title, secrets) {
  return h("div", { class: "card", role: "alert" }, h("p", {}, h("strong", {}, title)),
    secrets.map(([label, value]) => h("div", {}, h("p", { class: "small" }, label), h("p", { class: "secret", dataset: { secret: label } }, value), copyButton(value, `Copy ${label.toLowerCase()}`))));
}

function keysSection(keys) {
  const section = h("section", { "aria-labelledby": "keys-title" }, h("h2", { id: "keys-title" }, `API keys of ${session.project}`));
  const table = h("div", { class: "table-wrap" }, h("table", {},
    h("thead", {}, h("tr", {}, ["Name", "Key", "Scopes", "Created", ""].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, keys.map((k) => h("tr", {},
      h("td", {}, k.name), h("td", {}, h("code", {}, `${k.prefix}…`)), h("td", {}, k.scopes.join(", ")), h("td", {}, time(k.createdAt)),
      h("td", {}, k.revokedAt ? h("span", { class: "muted" }, "revoked") : h("button", {
        type: "button", class: "danger",
        onclick: async () => {
          if (!(await confirmDialog("Revoke key", `Revoke “${k.name}”? Apps using it stop being able to send within seconds.`, "Revoke"))) return;
          await del(`/v1/keys/${encodeURIComponent(k.id)}`);
          toast("Key revoked.");
          settingsPage();
        },
      }, "Revoke")))))));
  const form = h("form", { class: "form-grid", novalidate: true, "aria-label": "New API key" },
    h("label", {}, "New key name", h("input", { name: "name", "data-field": "name", required: true, placeholder: "iOS app" })),
    h("fieldset", { "data-field": "scopes" }, h("legend", {}, "Scopes"),
      [["ingest", "ingest — send events (safe in apps)"], ["read", "read"], ["admin", "admin"]].map(([v, l]) =>
        h("label", { class: "inline" }, h("input", { type: "checkbox", name: "scopes", value: v, checked: v === "ingest" }), l))),
    h("button", { type: "submit" }, "Create key"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearProblems(section);
    try {
      const created = await post("/v1/keys", { name: form.elements.name.value, scopes: [...form.querySelectorAll("input[name=scopes]:checked")].map((i) => i.value) });
      await settingsPage();
      document.getElementById("main").prepend(secretCard(`Key “${created.details.name}” created. Copy it now: it is shown only once.`, [["API key", created.key]]));
    } catch (error) {
      showProblem(section, error, form);
    }
  });
  section.append(table, form);
  return section;
}

function operatorsSection(operators, me) {
  const section = h("section", { "aria-labelledby": "operators-title" }, h("h2", { id: "operators-title" }, "Operators"));
  const list = h("ul", { class: "list" }, operators.map((o) => h("li", {}, h("div", { class: "row" },
    h("div", {}, h("div", { class: "title" }, o.username), h("div", { class: "meta" }, h("span", { class: "chip" }, o.role), h("span", {}, "since "), time(o.createdAt))),
    o.id === me.id ? h("span", { class: "muted" }, "you") : h("button", {
      type: "button", class: "danger",
      onclick: async () => {
        if (!(await confirmDialog("Remove operator", `Remove ${o.username}? They are signed out everywhere.`, "Remove"))) return;
        try { await del(`/v1/operators/${encodeURIComponent(o.id)}`); settingsPage(); } catch (error) { toast(error.message, "error"); }
      },
    }, "Remove")))));
  const form = h("form", { class: "form-grid", novalidate: true, "aria-label": "New operator" },
    h("label", {}, "Username", h("input", { name: "username", "data-field": "username", autocomplete: "off", required: true })),
    h("label", {}, "Password", h("input", { name: "password", "data-field": "password", type: "password", autocomplete: "new-password", required: true, minlength: 10 })),
    h("label", {}, "Role", h("select", { name: "role", "data-field": "role" }, h("option", { value: "member" }, "member — reads, acts, gets push"), h("option", { value: "admin" }, "admin — also manages"))),
    h("button", { type: "submit" }, "Add operator"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearProblems(section);
    try {
      await post("/v1/operators", Object.fromEntries(new FormData(form)));
      toast("Operator added.");
      settingsPage();
    } catch (error) {
      showProblem(section, error, form);
    }
  });
  section.append(list, form);
  return section;
}

function accountSection(me) {
  const section = h("section", { "aria-labelledby": "account-title" }, h("h2", { id: "account-title" }, `Signed in as ${me.username} (${me.role})`));
  const form = h("form", { class: "form-grid", novalidate: true, "aria-label": "Change password" },
    h("label", {}, "Current password", h("input", { name: "currentPassword", "data-field": "currentPassword", type: "password", autocomplete: "current-password" })),
    h("label", {}, "New password", h("input", { name: "newPassword", "data-field": "newPassword", type: "password", autocomplete: "new-password", minlength: 10 })),
    h("button", { type: "submit" }, "Change password"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearProblems(section);
    try {
      await put("/v1/session/password", Object.fromEntries(new FormData(form)));
      form.reset();
      toast("Password changed; your other sessions were signed out.");
    } catch (error) {
      showProblem(section, error, form);
    }
  });
  const signOut = h("button", {
    type: "button",
    onclick: async () => { await signOut(); navigate("/", { replace: true }); },
  }, "Sign out");
  section.append(form, h("div", { class: "actions-row" }, signOut));
  return section;
}
