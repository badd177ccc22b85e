// Job checks: each check's status and recent runs, its runs with their output, pause and resume,
// and the lines to paste into a crontab, a systemd unit or a PowerShell script.
import { get, post, put, del, query } from "./api.js";
import { navigate } from "./router.js";
import { isAdmin } from "./session.js";
import { h, mount, time, toast, duration, formatExact, showProblem, clearProblems, confirmDialog, copyButton, field, numberField } from "./ui.js";

const RUNS_IN_STRIP = 30;

export async function checksPage() {
  const { checks } = await get("/v1/checks");
  const runs = await Promise.all(checks.map((c) => get(`/v1/checks/${encodeURIComponent(c.id)}/runs${query({ limit: RUNS_IN_STRIP })}`).then((r) => r.runs, () => [])));
  const down = checks.filter((c) => c.status === "down").length;
  mount(
    h("h1", {}, "Checks"),
    h("p", { class: "muted" }, checks.length
      ? `${checks.length} check${checks.length === 1 ? "" : "s"}${down ? `, ${down} down` : ", none down"}. Jobs ping their URL; a late, failed, too long or too short run alerts.`
      : "Cron jobs and other scheduled work ping a URL when they run; a late, failed, too long or too short run alerts."),
    isAdmin() ? h("div", { class: "actions-row" }, h("a", { class: "button primary", href: "/checks/new" }, "New check")) : null,
    checks.length ? h("ul", { class: "list", "aria-label": "Checks" }, checks.map((c, i) => h("li", {}, checkRow(c, runs[i]))))
      : h("p", { class: "empty" }, "No checks yet. Healthchecks users: the same ping URLs work here with this host (see docs/checks.md)."));
}

function checkRow(c, runs) {
  return h("div", { class: "row", dataset: { checkId: c.id } },
    h("div", {},
      h("div", { class: "title" }, h("a", { href: `/checks/${encodeURIComponent(c.id)}` }, c.name)),
      h("div", { class: "meta" }, schedule(c),
        c.lastPingAt ? h("span", {}, "last ping ", time(c.lastPingAt)) : h("span", {}, "never pinged"),
        c.nextPingDueAt ? h("span", {}, `next due ${formatExact(c.nextPingDueAt)}`) : null,
        (c.tags || []).map((t) => h("span", { class: "chip" }, t)))),
    strip(runs),
    h("span", { class: `status check-${c.status}` }, c.status));
}

function schedule(c) {
  const every = c.cron ? `cron ${c.cron} (${c.timeZone})` : `every ${duration(c.periodSeconds * 1000)}`;
  return h("span", {}, `${every}, grace ${duration(c.graceSeconds * 1000)}`);
}

/** The last runs, oldest left: colour is the outcome, height the duration (relative to the longest shown). */
function strip(runs) {
  const shown = runs.slice(0, RUNS_IN_STRIP).reverse();
  const longest = Math.max(1, ...shown.map((r) => r.durationMs || 0));
  const failed = shown.filter((r) => r.outcome === "fail").length;
  const label = shown.length ? `Last ${shown.length} runs: ${shown.length - failed} succeeded or running, ${failed} failed` : "No runs yet";
  return h("div", { class: "run-strip", role: "img", "aria-label": label, title: label },
    shown.map((r) => {
      const bar = h("span", { class: `run-bar run-${r.outcome || "running"}` });
      bar.style.height = `${Math.max(20, Math.round(100 * (r.durationMs || 0) / longest))}%`;
      return bar;
    }));
}

export async function checkPage(id) {
  const [c, { runs }] = await Promise.all([get(`/v1/checks/${encodeURIComponent(id)}`), get(`/v1/checks/${encodeURIComponent(id)}/runs${query({ limit: 100 })}`)]);
  const item = (label, value) => h("div", {}, h("dt", {}, label), h("dd", {}, value));
  const paused = c.status === "paused";
  mount(
    h("p", {}, h("a", { href: "/checks" }, "← Checks")),
    h("h1", {}, c.name),
    c.description ? h("p", {}, c.description) : null,
    h("dl", { class: "summary-grid" },
      item("Status", h("span", { class: `status check-${c.status}` }, c.status)),
      item("Schedule", schedule(c)),
      item("Last ping", c.lastPingAt ? formatExact(c.lastPingAt) : "never"),
      item("Next ping due", c.nextPingDueAt ? formatExact(c.nextPingDueAt) : "–"),
      item("Pings", String(c.pings)),
      c.maxRunSeconds ? item("Longest run", duration(c.maxRunSeconds * 1000)) : null,
      c.minRunSeconds ? item("Shortest run", duration(c.minRunSeconds * 1000)) : null,
      item("Slug", c.slug)),
    strip(runs),
    isAdmin() ? h("div", { class: "actions-row" },
      h("button", { type: "button", onclick: () => setPaused(!paused) }, paused ? "Resume" : "Pause"),
      h("a", { class: "button", href: `/checks/${encodeURIComponent(id)}/edit` }, "Edit"),
      h("button", { type: "button", class: "danger", onclick: remove }, "Delete")) : null,
    h("h2", {}, "Ping it"),
    c.pingUrl ? snippets(new URL(c.pingUrl, location.origin).href) : h("p", { class: "muted" }, "Only admins see the ping URL: with it anyone can ping this check."),
    h("h2", {}, "Runs"),
    runs.length ? h("ul", { class: "list", "aria-label": "Runs" }, runs.map((r) => h("li", {}, runRow(r))))
      : h("p", { class: "empty" }, "No runs yet: ping the URL above."));

  async function setPaused(pause) {
    await post(`/v1/checks/${encodeURIComponent(id)}/${pause ? "pause" : "resume"}`);
    toast(pause ? "Paused: no alerts until it is resumed or pinged." : "Resumed.");
    checkPage(id);
  }

  async function remove() {
    if (!(await confirmDialog("Delete check", `Delete “${c.name}”? Its ping URL stops working and its runs are forgotten.`, "Delete"))) return;
    await del(`/v1/checks/${encodeURIComponent(id)}`);
    toast("Check deleted.");
    navigate("/checks");
  }
}

function runRow(r) {
  const outcome = r.outcome === "fail" ? `failed${r.exitStatus ? ` (exit ${r.exitStatus})` : ""}` : r.outcome === "success" ? "succeeded" : "running";
  return h("div", { class: "row" },
    h("div", {},
      h("div", { class: "title" }, h("a", { href: `/contexts/${encodeURIComponent(r.runId)}` }, formatExact(r.startedAt || r.endedAt))),
      h("div", { class: "meta" }, h("span", {}, r.durationMs !== undefined && r.durationMs !== null ? `took ${duration(r.durationMs)}` : r.endedAt ? "no start ping" : "started")),
      r.output ? h("pre", { class: "run-output" }, r.output) : null),
    h("span", { class: `status run-status-${r.outcome || "running"}` }, outcome));
}

/** Copy-paste lines for the common places a job runs. */
function snippets(url) {
  const lines = [
    ["crontab (start, then the exit status and the log)",
      `0 3 * * * curl -fsS -m 10 --retry 3 -o /dev/null ${url}/start; /path/to/job.sh > /tmp/job.log 2>&1; curl -fsS -m 10 --retry 3 -o /dev/null --data-binary @/tmp/job.log ${url}/$?`],
    ["ops tool (start, exit status and output; the job's exit status stays its own)",
      `0 3 * * * OPERATIONAL_URL=${url.split("/ping/")[0]} ops run ${url.split("/ping/")[1]} -- /path/to/job.sh`],
    ["crontab (success only)", `0 3 * * * /path/to/job.sh && curl -fsS -m 10 --retry 3 -o /dev/null ${url}`],
    ["systemd service", `ExecStartPre=-/usr/bin/curl -fsS -m 10 --retry 3 -o /dev/null ${url}/start\nExecStopPost=/usr/bin/curl -fsS -m 10 --retry 3 -o /dev/null ${url}/\${EXIT_STATUS}`],
    ["PowerShell", `Invoke-RestMethod -Uri "${url}/start"; & C:\\jobs\\job.ps1; Invoke-RestMethod -Uri "${url}/$LASTEXITCODE"`],
  ];
  return h("div", { class: "snippets" }, lines.map(([label, text]) => h("div", { class: "snippet" },
    h("div", { class: "actions-row" }, h("strong", {}, label), copyButton(text)),
    h("pre", { class: "run-output", "aria-label": label }, text))));
}

/** Create or edit: the API validates, and its messages appear next to the fields they name. */
export async function checkEditorPage(id) {
  const [existing, { channels }] = await Promise.all([id ? get(`/v1/checks/${encodeURIComponent(id)}`) : null, get("/v1/channels")]);
  const c = existing || { periodSeconds: 86400, graceSeconds: 3600, channels: [], tags: [] };
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const form = h("form", { novalidate: true, "aria-labelledby": "check-title" },
    h("div", { class: "form-grid" },
      field("name", "Name", { value: c.name || "", required: true, maxlength: 100, placeholder: "Database backup" }),
      field("slug", "Slug", { value: c.slug || "", placeholder: "database-backup", pattern: "[a-z0-9_-]+" }, "for slug ping URLs; from the name if empty"),
      numberField("periodSeconds", "Every (seconds)", c.cron ? "" : c.periodSeconds, "or a cron schedule"),
      field("cron", "Or on schedule (cron)", { value: c.cron || "", placeholder: "0 3 * * *" }),
      field("timeZone", "Time zone", { value: c.timeZone || zone }),
      numberField("graceSeconds", "Grace (seconds)", c.graceSeconds, "how late a ping may be"),
      numberField("maxRunSeconds", "A run must finish within (seconds)", c.maxRunSeconds, "optional, needs /start pings"),
      numberField("minRunSeconds", "A run takes at least (seconds)", c.minRunSeconds, "optional: sooner means it did nothing"),
      field("tags", "Tags", { value: (c.tags || []).join(" "), placeholder: "backup prod" }, "space-separated")),
    h("fieldset", {}, h("legend", {}, "Notify"),
      channels.length ? h("div", { class: "form-grid", "data-field": "channels" }, channels.map((ch) => h("label", { class: "inline" },
        h("input", { type: "checkbox", name: "channels", value: ch.id, checked: c.channels.includes(ch.id) }), `${ch.name} (${ch.kind})`)))
        : h("p", { class: "muted", "data-field": "channels" }, "No channels yet: ", h("a", { href: "/channels" }, "add one"), " to be told.")),
    h("div", { class: "actions-row" },
      h("button", { class: "primary", type: "submit" }, existing ? "Save check" : "Create check"),
      h("a", { class: "button", href: existing ? `/checks/${encodeURIComponent(id)}` : "/checks" }, "Cancel")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearProblems(form);
    const value = (name) => form.elements[name].value.trim();
    const number = (name) => (value(name) === "" ? undefined : Number(value(name)));
    const cron = value("cron") || undefined;
    const body = {
      name: value("name"), slug: value("slug") || undefined,
      periodSeconds: cron ? undefined : number("periodSeconds"), cron, timeZone: cron ? value("timeZone") || undefined : undefined,
      graceSeconds: number("graceSeconds"), maxRunSeconds: number("maxRunSeconds"), minRunSeconds: number("minRunSeconds"),
      tags: value("tags") ? value("tags").split(/\s+/) : [],
      channels: [...form.querySelectorAll("input[name=channels]:checked")].map((x) => x.value),
    };
    try {
      const saved = existing ? await put(`/v1/checks/${encodeURIComponent(id)}`, body) : await post("/v1/checks", body);
      toast(existing ? "Check saved." : "Check created: paste its ping line into the job.");
      navigate(`/checks/${encodeURIComponent(saved.id)}`, { replace: true });
    } catch (error) {
      showProblem(form, error, form);
      form.querySelector(".problem")?.scrollIntoView({ block: "center" });
    }
  });
  mount(h("p", {}, h("a", { href: "/checks" }, "← Checks")), h("h1", { id: "check-title" }, existing ? `Check: ${existing.name}` : "New check"), form);
}
