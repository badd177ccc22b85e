// The one way between pages: navigate() changes the URL and shows the page for it; links to the
// app's own pages and the browser's back and forward come through here too. The shell (app.js)
// says how a path is shown; pages only ever call navigate() or reload().

let show = async () => {};

/** Called by the shell once: how to show the page of the current URL. */
export function startRouter(render) {
  show = render;
  window.addEventListener("popstate", () => show());
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
}

/** Goes to path (with its query), adding to the history unless replace. */
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path); else history.pushState(null, "", path);
  return show();
}

/** Shows the current page again, e.g. for another project. */
export function reload() {
  return show();
}
