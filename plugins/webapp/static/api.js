// JSON over fetch with the session cookie; every non-2xx answer throws an ApiError.
export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `Request failed (${status})`);
    this.name = "ApiError";
    this.status = status;
    this.code = error.code || (status === 0 ? "network" : "error");
    this.field = error.field || null;
    this.body = body;
  }
}

let onUnauthorized = () => {};

/** Called with no arguments whenever the API answers 401 (the app shows the login screen). */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

function withParams(path, params) {
  if (!params) return path;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    query.set(key, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  const text = query.toString();
  return text ? `${path}${path.includes("?") ? "&" : "?"}${text}` : path;
}

async function request(method, path, { body, params, form } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (form) init.body = form;
  else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(withParams(path, params), init);
  } catch (err) {
    throw new ApiError(0, { error: { code: "network", message: "The server cannot be reached" } });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: { code: "bad_response", message: text.slice(0, 200) } };
  }
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith("/api/auth/login")) onUnauthorized();
    throw new ApiError(response.status, data);
  }
  return data;
}

export const api = {
  get: (path, params) => request("GET", path, { params }),
  post: (path, body) => request("POST", path, { body }),
  patch: (path, body) => request("PATCH", path, { body }),
  put: (path, body) => request("PUT", path, { body }),
  del: (path, params, body) => request("DELETE", path, { params, body }), // body: /api/auth/2fa
  upload: (path, formData) => request("POST", path, { form: formData }),
};
