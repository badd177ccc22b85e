// Small DOM helpers. Text always goes in as text nodes, never as HTML: event content is untrusted.

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "style") el.style.cssText = v; // CSSOM: allowed by the page's CSP, unlike a style attribute
    else if (k.startsWith("on")) el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function mount(...children) {
  const main = document.getElementById("main");
  main.replaceChildren();
  append(main, children);
  return main;
}

export function toast(message, kind = "info") {
  const box = document.getElementById("toasts");
  const el = h("div", { class: `toast ${kind}` }, message);
  box.append(el);
  setTimeout(() => el.remove(), kind === "error" ? 7000 : 3500);
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

function ago(iso) {
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  const units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === "second") return relative.format(Math.round(seconds / size), unit);
  }
  return "";
}

/** A <time> showing "3 minutes ago", the exact time on hover and to screen readers. */
export function time(iso) {
  const el = h("time", { datetime: iso, title: exact.format(new Date(iso)), "data-relative": "" }, ago(iso));
  el.setAttribute("aria-label", exact.format(new Date(iso)));
  return el;
}

export const formatExact = (iso) => exact.format(new Date(iso));

// Relative times stay true while the page is open.
setInterval(() => document.querySelectorAll("time[data-relative]").forEach((t) => { t.textContent = ago(t.getAttribute("datetime")); }), 30000);

export function duration(ms) {
  if (ms === undefined || ms === null) return "–";
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const hours = Math.floor(m / 60);
  return hours < 48 ? `${hours} h ${m % 60} min` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Shows an API error: a validation problem lists its fields; `form` gets messages next to inputs named after them. */
export function showProblem(container, error, form) {
  container.querySelectorAll(".problem").forEach((p) => p.remove());
  form?.querySelectorAll(".field-error").forEach((p) => p.remove());
  const fields = error.fields || {};
  const unplaced = [];
  for (const [field, messages] of Object.entries(fields)) {
    const input = form?.querySelector(`[data-field="${CSS.escape(field)}"]`);
    const text = `${field} ${messages.join("; ")}`;
    if (input) {
      const note = h("span", { class: "field-error", id: `err-${field.replace(/\W/g, "-")}` }, text);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
      const label = input.closest("label");
      if (label) label.append(note); else input.after(note);
    } else {
      unplaced.push(text);
    }
  }
  const box = h("div", { class: "problem", role: "alert" },
    h("strong", {}, error.problem?.title || "Something went wrong."), " ",
    Object.keys(fields).length ? (unplaced.length ? "" : "Check the fields marked below.") : (error.message || ""),
    unplaced.length ? h("ul", {}, unplaced.map((t) => h("li", {}, t))) : null);
  container.prepend(box);
  return box;
}

export function clearProblems(container) {
  container.querySelectorAll(".problem, .field-error").forEach((p) => p.remove());
  container.querySelectorAll("[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
}

/** A modal confirm step; resolves true when confirmed. */
export function confirmDialog(title, text, confirmLabel = "Confirm") {
  return new Promise((resolve) => {
    const dialog = h("dialog", { "aria-labelledby": "confirm-title" },
      h("h2", { id: "confirm-title" }, title),
      h("p", {}, text),
      h("div", { class: "actions-row" },
        h("button", { class: "primary", value: "yes", onclick: () => { dialog.close("yes"); } }, confirmLabel),
        h("button", { value: "no", onclick: () => dialog.close("no") }, "Cancel")));
    dialog.addEventListener("close", () => { resolve(dialog.returnValue === "yes"); dialog.remove(); });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function copyButton(text, label = "Copy") {
  return h("button", {
    type: "button",
    onclick: async (e) => {
      try { await navigator.clipboard.writeText(text); toast("Copied."); } catch { toast("Select the text and copy it.", "error"); }
      e.currentTarget.focus();
    },
  }, label);
}

/** A labelled input that API validation messages find by its field name (see showProblem), with an optional hint. */
export function field(name, label, attrs = {}, hint) {
  return h("label", {}, label, h("input", { name, "data-field": name, ...attrs }), hint ? h("span", { class: "muted small" }, hint) : null);
}

/** A whole-number field, empty when the value is absent. */
export function numberField(name, label, value, hint) {
  return field(name, label, { type: "number", min: 0, step: 1, inputmode: "numeric", value: value ?? "" }, hint);
}
