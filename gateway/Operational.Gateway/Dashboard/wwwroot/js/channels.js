import { get, post, del, query } from "./api.js";
import { isAdmin } from "./session.js";
import { h, mount, time, toast, showProblem, clearProblems, confirmDialog, copyButton, field, numberField } from "./ui.js";

// Per kind: the settings fields [path, label, attributes]. Secrets are write-only on the API.
const KINDS = {
  webhook: [["webhook.url", "URL", { type: "url", placeholder: "https://example.com/hooks/operational" }], ["webhook.secret", "Signing secret (optional: one is made)", { placeholder: "whsec_…" }]],
  ntfy: [["ntfy.serverUrl", "Server", { type: "url", value: "https://ntfy.sh" }], ["ntfy.topic", "Topic", { placeholder: "my-alerts" }], ["ntfy.token", "Access token (optional)", {}]],
  slack: [["slack.webhookUrl", "Incoming webhook URL", { type: "url", placeholder: "https://hooks.slack.com/services/…" }]],
  discord: [["discord.webhookUrl", "Webhook URL", { type: "url", placeholder: "https://discord.com/api/webhooks/…" }]],
  telegram: [["telegram.botToken", "Bot token", {}], ["telegram.chatId", "Chat id", {}]],
  email: [["email.host", "SMTP host", {}], ["email.port", "Port", { type: "number", value: 587 }], ["email.security", "Security", { value: "starttls", placeholder: "starttls, tls or none" }],
    ["email.username", "Username (optional)", {}], ["email.password", "Password (optional)", { type: "password" }], ["email.from", "From", { type: "email" }], ["email.to", "To (comma-separated)", {}]],
  webpush: [],
};

export async function channelsPage() {
  const [{ channels }, { deliveries }] = await Promise.all([get("/v1/channels"), get(`/v1/deliveries${query({ limit: 50 })}`)]);
  const names = Object.fromEntries(channels.map((c) => [c.id, c.name]));
  mount(
    h("h1", {}, "Channels"),
    channels.length ? h("ul", { class: "list", "aria-label": "Channels" }, channels.map((c) => h("li", {}, channelRow(c))))
      : h("p", { class: "empty" }, "No channels yet. A channel is where alerts go: a webhook, ntfy, Slack, email, or this device's push."),
    isAdmin() ? addForm() : null,
    h("h2", { id: "deliveries" }, "Delivery log"),
    deliveryTable(deliveries, names));
}

function channelRow(c) {
  const target = c.webhook?.url || (c.ntfy ? `${c.ntfy.serverUrl}/${c.ntfy.topic}` : null) || c.email?.to?.join(", ") || (c.telegram ? `chat ${c.telegram.chatId}` : null);
  return h("div", { class: "row" },
    h("div", {},
      h("div", { class: "title" }, c.name),
      h("div", { class: "meta" }, h("span", { class: "chip" }, c.kind), target ? h("span", {}, target) : null,
        c.receive.length ? h("span", {}, `also receives ${c.receive.join(" and ")}`) : null,
        c.template ? h("span", { class: "chip" }, "own wording") : null,
        c.maxMessagesPerMinute ? h("span", {}, `≤ ${c.maxMessagesPerMinute} a minute`) : null)),
    isAdmin() ? h("div", { class: "actions-row" },
      h("button", {
        type: "button",
        onclick: async (e) => {
          e.currentTarget.disabled = true;
          try {
            await post(`/v1/channels/${encodeURIComponent(c.id)}/test`);
            toast(`Test queued for ${c.name}; its delivery is below.`);
            await followDeliveries();
          } catch (error) {
            toast(error.message, "error");
          }
        },
      }, "Send test"),
      h("button", {
        type: "button", class: "danger",
        onclick: async () => {
          if (!(await confirmDialog("Delete channel", `Delete “${c.name}”? Rules that name it stop notifying it.`, "Delete"))) return;
          await del(`/v1/channels/${encodeURIComponent(c.id)}`);
          channelsPage();
        },
      }, "Delete")) : null);
}

/** After a test, re-reads the log until nothing is pending (a few seconds; retries take longer and stay pending). */
async function followDeliveries() {
  for (let i = 0; i < 8 && location.pathname === "/channels"; i++) {
    await channelsPage();
    if (!document.querySelector("td.status-pending")) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function addForm() {
  const settings = h("div", { class: "form-grid" });
  const kind = h("select", { name: "kind", "data-field": "kind" }, Object.keys(KINDS).map((k) => h("option", { value: k }, k)));
  const form = h("form", { novalidate: true, "aria-labelledby": "add-channel" },
    h("h2", { id: "add-channel" }, "Add a channel"),
    h("div", { class: "form-grid" },
      h("label", {}, "Name", h("input", { name: "name", "data-field": "name", required: true, maxlength: 100, placeholder: "Ops webhook" })),
      h("label", {}, "Kind", kind),
      h("label", { class: "inline" }, h("input", { type: "checkbox", name: "receive", value: "events" }), "Events sent with notify"),
      h("label", { class: "inline" }, h("input", { type: "checkbox", name: "receive", value: "contexts" }), "Failed and stalled contexts")),
    settings,
    h("details", {},
      h("summary", {}, "Wording and pace (optional)"),
      h("div", { class: "form-grid" },
        field("template.title", "Title template", { placeholder: "[{{level}}] {{alert.ruleName}} {{alert.group}}" }),
        field("template.body", "Body template", { placeholder: "{{alert.summary}} Ack: {{alert.acknowledgeUrl}}" }),
        numberField("maxMessagesPerMinute", "At most messages a minute", "", "optional; the rest wait for the next minute")),
      h("div", { class: "actions-row" }, h("button", { type: "button", onclick: preview }, "Preview on a sample alert")),
      h("pre", { class: "run-output template-preview", hidden: true, "aria-live": "polite" })),
    h("div", { class: "actions-row" }, h("button", { class: "primary", type: "submit" }, "Add channel")));
  const template = () => {
    const title = form.elements["template.title"].value.trim();
    const body = form.elements["template.body"].value.trim();
    return title || body ? { title: title || undefined, body: body || undefined } : undefined;
  };
  async function preview() {
    clearProblems(form);
    const out = form.querySelector(".template-preview");
    try {
      const shown = await post("/v1/channels/template-preview", { template: template() || {} });
      out.textContent = `${shown.title}\n${shown.body}`;
      out.hidden = false;
    } catch (error) {
      showProblem(form, error, form);
    }
  }
  const showKind = () => settings.replaceChildren(...KINDS[kind.value].map(([path, label, attrs]) =>
    h("label", {}, label, h("input", { name: path, "data-field": path, ...attrs }))),
    ...(kind.value === "webpush" ? [h("p", { class: "muted" }, "Every device of this project with push turned on (Settings → Push).")] : []));
  kind.addEventListener("change", showKind);
  showKind();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearProblems(form);
    const cap = form.elements.maxMessagesPerMinute.value.trim();
    const body = {
      name: form.elements.name.value.trim(), kind: kind.value, receive: [...form.querySelectorAll("input[name=receive]:checked")].map((i) => i.value),
      template: template(), maxMessagesPerMinute: cap === "" ? undefined : Number(cap),
    };
    const section = {};
    for (const [path, , attrs] of KINDS[kind.value]) {
      const raw = form.elements[path].value.trim();
      if (raw === "") continue;
      const key = path.split(".")[1];
      section[key] = attrs.type === "number" ? Number(raw) : key === "to" ? raw.split(",").map((s) => s.trim()).filter(Boolean) : raw;
    }
    if (kind.value !== "webpush") body[kind.value] = section;
    try {
      const created = await post("/v1/channels", body);
      await channelsPage();
      toast(`Channel ${created.name} added.`);
      if (created.secret) {
        const main = document.getElementById("main");
        main.prepend(h("div", { class: "card", role: "alert" },
          h("p", {}, h("strong", {}, "Signing secret for this webhook — shown only now:")),
          h("p", { class: "secret" }, created.secret), copyButton(created.secret)));
      }
    } catch (error) {
      showProblem(form, error, form);
    }
  });
  return form;
}

function deliveryTable(deliveries, names) {
  if (!deliveries.length) return h("p", { class: "muted" }, "Nothing delivered yet.");
  return h("div", { class: "table-wrap" }, h("table", {},
    h("thead", {}, h("tr", {}, ["Channel", "Message", "Status", "Attempts", "Last answer", "When"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, deliveries.map((d) => h("tr", {},
      h("td", {}, names[d.channelId] || d.channelId),
      h("td", {}, d.title, h("div", { class: "muted small" }, d.type)),
      h("td", { class: `status status-${d.status}` }, d.status),
      h("td", {}, String(d.attempts)),
      h("td", {}, d.lastStatusCode ? String(d.lastStatusCode) : "", d.lastError ? h("div", { class: "muted small" }, d.lastError) : null),
      h("td", {}, time(d.updatedAt)))))));
}
