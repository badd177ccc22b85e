import { get, post, put, del } from "./api.js";
import { navigate } from "./router.js";
import { isAdmin } from "./session.js";
import { h, mount, toast, showProblem, clearProblems, confirmDialog, field, numberField } from "./ui.js";
import { matchFieldset, matchFromForm } from "./match.js";

const KINDS = {
  match: "Match — every matching event alerts",
  threshold: "Threshold — N matching events within a window",
  volume: "Volume — too few (or too many) events in a window, on a schedule",
  heartbeat: "Heartbeat — the next event is overdue",
};

export async function rulesPage() {
  const { rules } = await get("/v1/rules");
  mount(
    h("h1", {}, "Rules"),
    isAdmin() ? h("div", { class: "actions-row" }, h("a", { class: "button primary", href: "/rules/new" }, "New rule")) : null,
    rules.length ? h("ul", { class: "list", "aria-label": "Rules" }, rules.map((r) => h("li", {}, h("div", { class: "row" },
      h("div", {},
        h("div", { class: "title" }, h("a", { href: `/rules/${encodeURIComponent(r.id)}` }, r.name)),
        h("div", { class: "meta" }, h("span", { class: "chip" }, r.kind), describe(r), r.enabled ? null : h("span", { class: "chip" }, "disabled"))),
      h("span", { class: "muted small" }, `${r.channels.length} channel${r.channels.length === 1 ? "" : "s"}`)))))
      : h("p", { class: "empty" }, "No rules yet. A rule says what matters: “tell me when no lead arrived in the last hour”."));
}

function describe(r) {
  const name = r.match?.name ? `“${r.match.name.equals ?? r.match.name.prefix ?? r.match.name.contains}”` : "any event";
  switch (r.kind) {
    case "threshold": return `${r.threshold.count}× ${name} in ${r.threshold.windowSeconds} s`;
    case "volume": return `${r.volume.min ?? 0}${r.volume.max ? `–${r.volume.max}` : "+"} ${name} per ${r.volume.windowSeconds} s${r.volume.groupBy ? ` per ${r.volume.groupBy}` : ""}`;
    case "heartbeat": return r.heartbeat.periodSeconds ? `${name} every ${r.heartbeat.periodSeconds} s` : `${name} at ${r.heartbeat.schedule?.cron}`;
    default: return name;
  }
}

/** One form for every kind; the API validates, and its messages appear next to the fields they name. */
export async function ruleEditorPage(id) {
  const [rule, { channels }, { rules: others }] = await Promise.all([id ? get(`/v1/rules/${encodeURIComponent(id)}`) : null, get("/v1/channels"), get("/v1/rules")]);
  const r = rule || { kind: "volume", enabled: true, match: {}, channels: [] };
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

  const form = h("form", { novalidate: true, "aria-labelledby": "rule-title" },
    h("div", { class: "form-grid" },
      field("name", "Name", { value: r.name || "", required: true, maxlength: 100, placeholder: "Leads per campaign group" }),
      h("label", {}, "Kind", h("select", { name: "kind", "data-field": "kind", disabled: !!rule }, Object.entries(KINDS).map(([k, l]) => h("option", { value: k, selected: k === r.kind }, l)))),
      h("label", { class: "inline" }, h("input", { type: "checkbox", name: "enabled", checked: r.enabled !== false }), "Enabled")),
    matchFieldset(r.match),
    h("fieldset", { dataset: { kind: "threshold" } }, h("legend", {}, "Threshold"),
      h("div", { class: "form-grid" },
        numberField("threshold.count", "At least this many events", r.threshold?.count ?? 5),
        numberField("threshold.windowSeconds", "Within (seconds)", r.threshold?.windowSeconds ?? 600))),
    h("fieldset", { dataset: { kind: "volume" } }, h("legend", {}, "Volume"),
      h("div", { class: "form-grid" },
        numberField("volume.min", "Fewer than (min)", r.volume?.min ?? 1, "alert when the window holds fewer"),
        numberField("volume.max", "More than (max)", r.volume?.max, "optional"),
        numberField("volume.windowSeconds", "Window (seconds)", r.volume?.windowSeconds ?? 3600),
        field("volume.schedule.cron", "Check schedule (cron)", { value: r.volume?.schedule?.cron ?? "*/5 * * * *", placeholder: "*/5 * * * *" }, "five fields, or six with seconds first"),
        field("volume.schedule.timeZone", "Time zone", { value: r.volume?.schedule?.timeZone ?? zone, placeholder: "Europe/Berlin" }),
        field("volume.groupBy", "Per value of tag", { value: r.volume?.groupBy || "", placeholder: "campaignGroup" }, "optional"),
        numberField("volume.groupLookbackSeconds", "Groups seen in the last (seconds)", r.volume?.groupLookbackSeconds, "default a day"))),
    h("fieldset", { dataset: { kind: "heartbeat" } }, h("legend", {}, "Heartbeat"),
      h("div", { class: "form-grid" },
        numberField("heartbeat.periodSeconds", "Every (seconds)", r.heartbeat?.periodSeconds ?? (r.heartbeat?.schedule ? "" : 3600), "or a schedule below"),
        field("heartbeat.schedule.cron", "Or on schedule (cron)", { value: r.heartbeat?.schedule?.cron || "", placeholder: "0 9 * * *" }),
        field("heartbeat.schedule.timeZone", "Time zone", { value: r.heartbeat?.schedule?.timeZone ?? zone }),
        numberField("heartbeat.graceSeconds", "Grace (seconds)", r.heartbeat?.graceSeconds ?? 300),
        numberField("heartbeat.maxRunSeconds", "A run must finish within (seconds)", r.heartbeat?.maxRunSeconds, "optional, for events that start a context"))),
    h("fieldset", {}, h("legend", {}, "Notify"),
      channels.length ? h("div", { class: "form-grid", "data-field": "channels" }, channels.map((c) => h("label", { class: "inline" },
        h("input", { type: "checkbox", name: "channels", value: c.id, checked: r.channels.includes(c.id) }), `${c.name} (${c.kind})`)))
        : h("p", { class: "muted", "data-field": "channels" }, "No channels yet: ", h("a", { href: "/channels" }, "add one"), " to be told."),
      h("div", { class: "form-grid" },
        numberField("repeatIntervalSeconds", "Remind every (seconds)", r.repeatIntervalSeconds, "optional, ≥ 60; not for match rules"),
        numberField("groupWaitSeconds", "Send alerts opening within (seconds) as one", r.groupWaitSeconds, "optional: one message for many groups"))),
    h("fieldset", { class: "scheduled-only" }, h("legend", {}, "Noise and escalation"),
      h("div", { class: "form-grid" },
        numberField("trigger.consecutive", "Alert after failing checks in a row", r.trigger?.consecutive, "optional; default 1"),
        numberField("resolve.consecutive", "Resolve after good checks in a row", r.resolve?.consecutive, "optional; default 1"),
        numberField("escalation.afterSeconds", "Escalate if unacknowledged after (seconds)", r.escalation?.[0]?.afterSeconds, "optional, ≥ 60")),
      channels.length ? h("div", { class: "form-grid", "data-field": "escalation[0].channels" }, channels.map((c) => h("label", { class: "inline" },
        h("input", { type: "checkbox", name: "escalation.channels", value: c.id, checked: !!r.escalation?.[0]?.channels.includes(c.id) }), `escalate to ${c.name}`))) : null,
      others.filter((o) => o.id !== id).length ? h("div", { class: "form-grid", "data-field": "dependsOn" }, others.filter((o) => o.id !== id).map((o) => h("label", { class: "inline" },
        h("input", { type: "checkbox", name: "dependsOn", value: o.id, checked: !!r.dependsOn?.includes(o.id) }), `quiet while “${o.name}” alerts`))) : null),
    h("div", { class: "actions-row" },
      isAdmin() ? h("button", { class: "primary", type: "submit" }, rule ? "Save rule" : "Create rule") : h("p", { class: "muted" }, "Only admins change rules."),
      rule && isAdmin() ? h("button", { type: "button", class: "danger", onclick: remove }, "Delete rule") : null,
      h("a", { class: "button", href: "/rules" }, "Cancel")));

  const showKind = () => {
    const kind = form.kind.value;
    form.querySelectorAll("fieldset[data-kind]").forEach((f) => { f.hidden = f.dataset.kind !== kind; f.disabled = f.hidden; });
    form.querySelectorAll("fieldset.scheduled-only").forEach((f) => { f.hidden = kind === "match"; f.disabled = f.hidden; });
  };
  form.kind.addEventListener("change", showKind);
  showKind();

  async function remove() {
    if (!(await confirmDialog("Delete rule", `Delete “${rule.name}”? Its open alerts are resolved.`, "Delete"))) return;
    await del(`/v1/rules/${encodeURIComponent(id)}`);
    toast("Rule deleted.");
    navigate("/rules");
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearProblems(form);
    const body = ruleFromForm(form, rule?.kind);
    try {
      const saved = rule ? await put(`/v1/rules/${encodeURIComponent(id)}`, body) : await post("/v1/rules", body);
      toast(rule ? "Rule saved." : "Rule created.");
      navigate(`/rules/${encodeURIComponent(saved.id)}`, { replace: true });
    } catch (error) {
      showProblem(form, error, form);
      form.querySelector(".problem")?.scrollIntoView({ block: "center" });
    }
  });

  mount(h("p", {}, h("a", { href: "/rules" }, "← Rules")), h("h1", { id: "rule-title" }, rule ? `Rule: ${rule.name}` : "New rule"), form);
}

/** The API's rule JSON from the form: empty inputs are left out, numbers sent as numbers. */
function ruleFromForm(form, fixedKind) {
  const kind = fixedKind || form.kind.value;
  const value = (name) => form.elements[name]?.value.trim() ?? "";
  const number = (name) => (value(name) === "" ? undefined : Number(value(name)));
  const text = (name) => value(name) || undefined;
  const schedule = (prefix) => (value(`${prefix}.cron`) ? { cron: value(`${prefix}.cron`), timeZone: text(`${prefix}.timeZone`) } : undefined);
  const match = matchFromForm(form);
  const body = {
    name: value("name"), kind, enabled: form.enabled.checked, match,
    channels: [...form.querySelectorAll("input[name=channels]:checked")].map((c) => c.value),
    repeatIntervalSeconds: number("repeatIntervalSeconds"),
    groupWaitSeconds: number("groupWaitSeconds"),
    dependsOn: [...form.querySelectorAll("input[name=dependsOn]:checked")].map((c) => c.value),
  };
  if (kind !== "match") {
    const trigger = number("trigger.consecutive");
    const resolve = number("resolve.consecutive");
    const after = number("escalation.afterSeconds");
    if (trigger !== undefined) body.trigger = { consecutive: trigger };
    if (resolve !== undefined) body.resolve = { consecutive: resolve };
    if (after !== undefined) body.escalation = [{ afterSeconds: after, channels: [...form.querySelectorAll("input[name='escalation.channels']:checked")].map((c) => c.value) }];
  }
  if (!body.dependsOn.length) delete body.dependsOn;
  if (kind === "threshold") body.threshold = { count: number("threshold.count"), windowSeconds: number("threshold.windowSeconds") };
  if (kind === "volume") {
    body.volume = {
      min: number("volume.min"), max: number("volume.max"), windowSeconds: number("volume.windowSeconds"),
      schedule: schedule("volume.schedule"), groupBy: text("volume.groupBy"), groupLookbackSeconds: number("volume.groupLookbackSeconds"),
    };
  }
  if (kind === "heartbeat") {
    body.heartbeat = {
      periodSeconds: number("heartbeat.periodSeconds"), schedule: schedule("heartbeat.schedule"),
      graceSeconds: number("heartbeat.graceSeconds"), maxRunSeconds: number("heartbeat.maxRunSeconds"),
    };
  }
  return body;
}
