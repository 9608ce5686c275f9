// The one fetch wrapper: the bearer token, If-Match and ETags, and problem+json turned
// into an error that knows its fields. The session token lives in memory and in
// sessionStorage (gone with the tab), never in localStorage.

const SESSION_KEY = "buysocial.session";

let token = sessionStorage.getItem(SESSION_KEY);
let onSignedOut = () => {};

export function hasSession() {
  return token !== null;
}

export function startSession(newToken) {
  token = newToken;
  sessionStorage.setItem(SESSION_KEY, newToken);
}

export function endSession() {
  token = null;
  sessionStorage.removeItem(SESSION_KEY);
}

/** Called when the server says the session is over (401), after it is dropped. */
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

/** A refusal as the API describes it (RFC 9457), with field errors by field name. */
export class Problem extends Error {
  constructor(status, body, etag) {
    super(body.detail || body.title || `The server answered ${status}.`);
    this.status = status;
    this.type = body.type || "about:blank";
    this.title = body.title || "";
    this.fields = {};
    for (const error of body.errors || []) {
      this.fields[error.field] = error.message;
    }
    // A 412 carries the version saved meanwhile.
    this.etag = etag;
  }
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: response.statusText, detail: `The server answered ${response.status}.` };
  }
}

/**
 * Sends one request; resolves to {data, etag} or throws a Problem. `body` is sent as
 * JSON, `ifMatch` as If-Match.
 */
export async function request(method, path, { body, ifMatch, raw } = {}) {
  const headers = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (ifMatch) headers["if-match"] = ifMatch;
  let payload;
  if (raw !== undefined) {
    payload = raw;
  } else if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload });
  } catch {
    throw new Problem(0, {
      title: "No connection",
      detail: "The server could not be reached. Nothing was lost: try again.",
    });
  }
  const etag = response.headers.get("etag");
  if (!response.ok) {
    const problem = new Problem(response.status, await problemOf(response), etag);
    if (response.status === 401 && token !== null && !path.startsWith("/api/v1/auth/login")) {
      endSession();
      onSignedOut(problem);
    }
    throw problem;
  }
  const data = response.status === 204 ? null : await response.json();
  return { data, etag };
}

export const get = (path) => request("GET", path);
export const post = (path, body, options = {}) => request("POST", path, { body, ...options });
export const put = (path, body, options = {}) => request("PUT", path, { body, ...options });
export const patch = (path, body, options = {}) => request("PATCH", path, { body, ...options });
export const del = (path, options = {}) => request("DELETE", path, options);

/**
 * Uploads one file as the raw body (streamed by the server to storage), reporting
 * progress: `onProgress({loaded, total})`. Returns {promise, cancel}; the promise
 * resolves to the created asset or rejects with a Problem. XMLHttpRequest, because
 * fetch cannot report upload progress.
 */
export function upload(path, file, query, onProgress) {
  const xhr = new XMLHttpRequest();
  const search = new URLSearchParams({ file_name: file.name, ...query });
  const promise = new Promise((resolve, reject) => {
    xhr.open("POST", `${path}?${search}`);
    if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.setRequestHeader("accept", "application/json");
    xhr.upload.onprogress = (event) => onProgress({ loaded: event.loaded, total: event.total || file.size });
    xhr.onload = () => {
      let body = {};
      try {
        body = JSON.parse(xhr.responseText || "{}");
      } catch {
        body = { detail: `The server answered ${xhr.status}.` };
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body);
        return;
      }
      const problem = new Problem(xhr.status, body, xhr.getResponseHeader("etag"));
      if (xhr.status === 401 && token !== null) {
        endSession();
        onSignedOut(problem);
      }
      reject(problem);
    };
    xhr.onerror = () => reject(new Problem(0, { title: "No connection", detail: "The upload was interrupted: the server could not be reached." }));
    xhr.onabort = () => reject(new Problem(0, { title: "Cancelled", detail: "The upload was cancelled." }));
    xhr.send(file);
  });
  return { promise, cancel: () => xhr.abort() };
}

/**
 * A file of the media library as a `data:` URL, for a thumbnail (drafts' files need the
 * token, which an `<img>` cannot send). Not a `blob:` URL: one of those belongs to the
 * admin origin, so an SVG opened from it on its own would run its scripts there;
 * a `data:` URL has an opaque origin, and browsers do not open one as a page.
 */
export async function dataUrl(path) {
  const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) return null;
  const blob = await response.blob();
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === "string" ? reader.result : null);
    reader.onerror = () => resolve(null);
    reader.readAsDataURL(blob);
  });
}

/**
 * Downloads a file the API serves to signed-in users (a CSV export) and hands it to
 * the browser to save, under the name the server gives.
 */
export async function saveFile(path, fallbackName) {
  const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new Problem(response.status, await problemOf(response));
  const disposition = response.headers.get("content-disposition") || "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] || fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}
