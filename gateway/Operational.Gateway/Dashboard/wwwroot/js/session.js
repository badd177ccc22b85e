// Who is signed in, and which of their projects is shown: the one place both are kept and changed.
import { api, configureApi } from "./api.js";
import { reload } from "./router.js";

export const session = {
  /** GET /v1/session: the operator and their projects; null when signed out. */
  current: null,
  /** The project every request is scoped to (X-Operational-Project). */
  project: localStorage.getItem("op.project") || "default",
};

const listeners = { project: [], signedOut: [] };

/** The shell listens: the project picker follows the project, the sign-in page appears when signed out. */
export function onProjectChanged(listener) { listeners.project.push(listener); }
export function onSignedOut(listener) { listeners.signedOut.push(listener); }

configureApi({
  project: () => session.project,
  unauthorized: () => {
    if (!session.current) return;
    session.current = null;
    listeners.signedOut.forEach((l) => l());
  },
});

export const isAdmin = () => session.current?.operator?.role === "admin";

export async function signIn(username, password) {
  session.current = await api("POST", "/v1/session", { username, password });
  keepProjectKnown();
}

export async function refreshSession() {
  session.current = await api("GET", "/v1/session");
  keepProjectKnown();
}

export async function signOut() {
  await api("DELETE", "/v1/session");
  session.current = null;
  listeners.signedOut.forEach((l) => l());
}

/** Shows another project; the current page is shown again for it unless rerender is false. */
export function selectProject(id, { rerender = true } = {}) {
  setProject(id);
  if (rerender) reload();
}

function setProject(id) {
  session.project = id;
  localStorage.setItem("op.project", id);
  listeners.project.forEach((l) => l(id));
}

function keepProjectKnown() {
  if (!session.current.projects.some((p) => p.id === session.project)) setProject(session.current.projects[0]?.id || "default");
  else listeners.project.forEach((l) => l(session.project));
}
