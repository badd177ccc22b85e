import { get, post, del, query } from "./api.js";
import { isAdmin } from "./session.js";
import { h, mount, time, toast, showProblem, clearProblems, formatExact, field, numberField } from "./ui.js";

export async function alertsPage(alertId) {
  const params = new URLSearchParams(location.search);
  const status = params.get("status") || "open";
  const [alerts, silences, rules] = await Promise.all([
    get(`/v1/alerts${query({ status: status === "all" ? "" : status, limit: 100 })}`),
    get("/v1/silences"),
    get("/v1/rules"),
  ]);
  const ruleNames = Object.fromEntries(rules.rules.map((r) => [r.id, r.name]));
  const list = h("ul", { class: "list", "aria-label": "Alerts" },
    alerts.alerts.length ? alerts.alerts.map((a) => h("li", {}, alertRow(a, a.id === alertId))) :
      h("li", { class: "empty" }, status === "open" ? "No open alerts. All quiet." : "No alerts here."));
  mount(
    h("h1", {}, "Alerts"),
    h("nav", { class: "tabs", "aria-label": "Filter by status" },
      [["open", "Open"], ["resolved", "Resolved"], ["fired", "Fired (match rules)"], ["all", "All"]].map(([s, label]) =>
        h("a", { href: `/alerts${query({ status: s })}`, "aria-current": s === status ? "true" : "false" }, label))),
    list,
    h("h2", {}, "Silences and maintenance windows"),
    silences.silences.length ? h("ul", { class: "list" }, silences.silences.map((s) => h("li", {}, silenceRow(s, ruleNames)))) : h("p", { class: "muted" }, "None."),
    isAdmin() ? windowForm(rules.rules) : null);
  document.querySelector(`[data-alert-id="${CSS.escape(alertId || "")}"]`)?.scrollIntoView({ block: "center" });
}

function alertRow(a, highlighted) {
  return h("div", { class: `row${highlighted ? " card fresh" : ""}`, dataset: { alertId: a.id } },
    h("div", {},
      h("div", { class: "title" }, a.ruleName, a.group ? h("span", { class: "chip" }, a.group) : null),
      h("div", {}, a.evidence.summary),
      h("div", { class: "meta" },
        h("span", {}, a.kind), h("span", {}, "since "), time(a.triggeredAt),
        a.resolvedAt ? h("span", {}, `resolved ${formatExact(a.resolvedAt)}`) : null,
        a.notified ? null : h("span", { class: "chip" }, a.suppressedBy ? `suppressed: rule ${a.suppressedBy} is alerting` : "silenced"),
        a.acknowledgedAt ? h("span", { class: "chip" }, `acknowledged by ${a.acknowledgedBy} ${formatExact(a.acknowledgedAt)}`) : null,
        a.escalated ? h("span", { class: "chip" }, `escalated ×${a.escalated}`) : null,
        a.evidence.lastEventId ? h("a", { href: `/events/${encodeURIComponent(a.evidence.lastEventId)}` }, "last matching event") : null)),
    h("div", { class: "actions-row" },
      h("span", { class: `status status-${a.status}` }, a.status),
      a.status === "open" ? h("button", { type: "button", onclick: () => acknowledge(a) }, a.acknowledgedAt ? "Unacknowledge" : "Acknowledge") : null,
      isAdmin() && a.status === "open" ? h("button", { type: "button", onclick: () => silenceDialog(a) }, "Silence…") : null));
}

/** Anyone on call may take an alert (no reminders or escalation while it is theirs), or give it back. */
async function acknowledge(a) {
  const path = `/v1/alerts/${encodeURIComponent(a.id)}/acknowledge`;
  await (a.acknowledgedAt ? del(path) : post(path));
  toast(a.acknowledgedAt ? "Unacknowledged: reminders and escalation resume." : "Acknowledged: no more reminders or escalation.");
  alertsPage(a.id);
}

function silenceRow(s, ruleNames) {
  return h("div", { class: "row" },
    h("div", {}, h("div", { class: "title" }, s.comment),
      h("div", { class: "meta" }, s.ruleId ? h("span", {}, `rule “${ruleNames[s.ruleId] || s.ruleId}”`) : null, s.group ? h("span", { class: "chip" }, s.group) : null,
        s.cron ? h("span", { class: "chip" }, `every “${s.cron}” ${s.timeZone || "UTC"} for ${Math.round(s.durationSeconds / 60)} min`) : h("span", {}, `until ${formatExact(s.endsAt)}`),
        s.active ? h("span", { class: "chip" }, "muting now") : null)),
    isAdmin() ? h("button", {
      type: "button",
      onclick: async () => { await del(`/v1/silences/${encodeURIComponent(s.id)}`); toast("Silence ended."); alertsPage(); },
    }, "End now") : null);
}

function silenceDialog(a) {
  const form = h("form", { method: "dialog" },
    h("h2", {}, `Silence “${a.ruleName}”${a.group ? ` for ${a.group}` : ""}`),
    h("label", {}, "For", h("select", { name: "hours" }, [[1, "1 hour"], [4, "4 hours"], [24, "1 day"], [168, "1 week"]].map(([v, l]) => h("option", { value: v }, l)))),
    h("label", {}, "Why", h("input", { name: "comment", required: true, maxlength: 500, placeholder: "campaign paused", "data-field": "comment" })),
    h("div", { class: "actions-row" }, h("button", { class: "primary", type: "submit" }, "Silence"), h("button", { type: "button", onclick: () => dialog.close() }, "Cancel")));
  const dialog = h("dialog", {}, form);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    try {
      await post("/v1/silences", {
        ruleId: a.ruleId, group: a.group || undefined, comment: data.comment,
        endsAt: new Date(Date.now() + Number(data.hours) * 3600000).toISOString(),
      });
      dialog.close();
      toast("Silenced.");
      alertsPage();
    } catch (error) {
      showProblem(form, error, form);
    }
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/** A recurring silence: a cron, its time zone and how long each window lasts. */
function windowForm(rules) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const form = h("form", { novalidate: true, "aria-labelledby": "window-title" },
    h("h3", { id: "window-title" }, "Add a maintenance window"),
    h("div", { class: "form-grid" },
      h("label", {}, "Rule", h("select", { name: "ruleId", "data-field": "ruleId" }, rules.map((r) => h("option", { value: r.id }, r.name)))),
      field("cron", "Starts (cron)", { placeholder: "0 2 * * 0", value: "0 2 * * 0" }, "e.g. every Sunday 02:00"),
      field("timeZone", "Time zone", { value: zone }),
      numberField("minutes", "Lasts (minutes)", 60),
      field("comment", "Why", { placeholder: "Sunday maintenance", required: true, maxlength: 500 })),
    h("div", { class: "actions-row" }, h("button", { class: "primary", type: "submit" }, "Add window")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearProblems(form);
    const value = (name) => form.elements[name].value.trim();
    try {
      await post("/v1/silences", {
        ruleId: value("ruleId") || undefined, cron: value("cron"), timeZone: value("timeZone") || undefined,
        durationSeconds: value("minutes") === "" ? undefined : Number(value("minutes")) * 60, comment: value("comment"),
      });
      toast("Maintenance window added: alerts inside it are recorded, and sent after it if still open.");
      alertsPage();
    } catch (error) {
      if (error.fields?.durationSeconds) error.problem.errors.minutes = error.fields.durationSeconds;
      showProblem(form, error, form);
    }
  });
  return form;
}
