// Talks to the gateway with the session cookie (see session.js). Every call names the project in a header:
// the gateway scopes the request to it, and a cross-site page cannot send that header (CSRF).

let settings = { project: () => "default", unauthorized: () => {} };

/** The session module says which project requests are for and hears of a 401. */
export function configureApi(configuration) {
  settings = configuration;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }

  /** Field → messages, from a validation problem's `errors`. */
  get fields() { return this.problem.errors || {}; }
}

export async function api(method, path, body, { project = settings.project() } = {}) {
  const headers = { "Accept": "application/json", "X-Operational-Project": project };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { title: "Offline", detail: "The gateway cannot be reached. Check the connection and try again." });
  }
  if (response.status === 401 && path !== "/v1/session") settings.unauthorized();
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body ?? {});
export const put = (path, body) => api("PUT", path, body);
export const del = (path) => api("DELETE", path);

/** Query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}
