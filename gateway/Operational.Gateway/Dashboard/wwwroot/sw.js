// Operational's service worker: the app shell for offline starts, and web push.
const SHELL = "operational-shell-v6";
const FILES = ["/", "/index.html", "/app.css", "/manifest.webmanifest", "/icons/icon.svg", "/icons/icon-192.png",
  "/js/app.js", "/js/api.js", "/js/ui.js", "/js/events.js", "/js/feed.js", "/js/contexts.js", "/js/alerts.js", "/js/checks.js",
  "/js/rules.js", "/js/channels.js", "/js/charts.js", "/js/plots.js", "/js/users.js", "/js/insights.js", "/js/metrics.js", "/js/match.js", "/js/settings.js", "/js/push.js",
  "/js/router.js", "/js/session.js", "/vendor/uplot/uPlot.esm.js", "/vendor/uplot/uPlot.min.css"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// The network first, so a release shows at once; the cached shell only when offline. APIs are never cached.
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/v1/") || url.pathname.startsWith("/api/")) return;
  event.respondWith(fetch(event.request).then((response) => {
    if (response.ok && FILES.includes(url.pathname)) {
      const copy = response.clone();
      caches.open(SHELL).then((cache) => cache.put(event.request, copy));
    }
    return response;
  }).catch(async () => (await caches.match(event.request)) || (event.request.mode === "navigate" ? caches.match("/index.html") : Response.error())));
});

self.addEventListener("push", (event) => {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch { message = { title: event.data?.text() }; }
  const url = message.url ? `${message.url}${message.project ? `?project=${encodeURIComponent(message.project)}` : ""}` : "/";
  event.waitUntil(self.registration.showNotification(message.title || "Operational", {
    body: message.body || "",
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
    tag: message.tag || message.id || undefined,
    renotify: !!message.tag,
    requireInteraction: message.level === "error",
    actions: message.ack ? [{ action: "ack", title: "Acknowledge" }] : [],
    data: { url, ack: message.ack },
  }));
});

// A click opens what the notification is about: focus an open dashboard and navigate it, else open one.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // The alert's signed link acknowledges it without opening anything (it works signed out too).
  if (event.action === "ack" && event.notification.data?.ack) {
    event.waitUntil(fetch(new URL(event.notification.data.ack, location.origin).href, { method: "POST" }).catch(() => {}));
    return;
  }
  const target = new URL(event.notification.data?.url || "/", location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of windows) {
      if (new URL(client.url).origin === location.origin && "focus" in client) {
        await client.focus();
        return client.navigate(target);
      }
    }
    return self.clients.openWindow(target);
  })());
});
