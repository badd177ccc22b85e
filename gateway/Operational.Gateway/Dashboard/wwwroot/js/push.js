// Web push for this device and the current project: the service worker subscribes with the
// installation's VAPID key, and the gateway stores the subscription in the project.
import { get, post, api } from "./api.js";
import { session } from "./session.js";

const supported = () => "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

export async function pushState() {
  if (!supported()) return { supported: false, on: false, message: "This browser cannot receive push notifications." };
  if (Notification.permission === "denied") return { supported: false, on: false, message: "Notifications are blocked for this site in the browser's settings." };
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription) return { supported: true, on: false, message: "Push is off on this device." };
  const { subscriptions } = await get("/v1/push/subscriptions");
  const on = subscriptions.some((s) => s.endpoint === subscription.endpoint);
  return { supported: true, on, message: on ? `Push is on for ${session.project} on this device.` : `Push is off for ${session.project} on this device.` };
}

export async function turnPushOn() {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error("Notifications were not allowed; allow them for this site to turn push on.");
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    const { publicKey } = await get("/v1/push/vapid-public-key");
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
  }
  await post("/v1/push/subscriptions", subscription.toJSON());
}

export async function turnPushOff() {
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription) return;
  await api("DELETE", `/v1/push/subscriptions?endpoint=${encodeURIComponent(subscription.endpoint)}`);
  // The browser's subscription may serve other projects: it is kept, only this project forgets it.
}
