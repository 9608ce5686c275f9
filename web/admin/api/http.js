// @ts-check
// The one fetch wrapper under the resource modules beside it: the bearer token,
// If-Match and ETags, and problem+json turned into an error that knows its fields.
// The session token lives in memory and in sessionStorage (gone with the tab), never
// in localStorage. Only the modules of this folder know the API's addresses.

/** @typedef {import("buysocial-api").paths} Paths */
/** @typedef {import("buysocial-api").components["schemas"]} Schemas */
/**
 * An operation's address as the OpenAPI document spells it (`/api/v1/admin/{kind}`):
 * an address the contract no longer has fails the type check.
 * @typedef {keyof Paths} Template
 */
/** @typedef {Record<string, string | number | boolean | null | undefined>} Query */
/** @typedef {Schemas["PageInfo"]} PageInfo */

const SESSION_KEY = "buysocial.session";
const LOGIN = "/api/v1/auth/login";

/** @type {string | null} */
let token = sessionStorage.getItem(SESSION_KEY);
/** @type {(problem: Problem) => void} */
let onSignedOut = () => {};
/** @type {(problem: Problem) => void} */
let onRefused = () => {};

export function hasSession() {
  return token !== null;
}

/** @param {string} newToken */
export function startSession(newToken) {
  token = newToken;
  sessionStorage.setItem(SESSION_KEY, newToken);
}

export function endSession() {
  token = null;
  sessionStorage.removeItem(SESSION_KEY);
}

/**
 * Called when the server says the session is over (401), after it is dropped.
 * @param {(problem: Problem) => void} callback
 */
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

/**
 * Called when the server refuses a request of this session (403): what the person may
 * do may have changed meanwhile (a second factor now required, say).
 * @param {(problem: Problem) => void} callback
 */
export function whenRefused(callback) {
  onRefused = callback;
}

/**
 * What a problem+json body may hold; the app also makes its own (a form checked before
 * sending), with only some of these.
 * @typedef {Partial<Schemas["Problem"]>} ProblemBody
 */

/** A refusal as the API describes it (RFC 9457), with field errors by field name. */
export class Problem extends Error {
  /**
   * @param {number} status
   * @param {ProblemBody} body
   * @param {string | null} [etag]
   */
  constructor(status, body, etag = null) {
    super(body.detail || body.title || `The server answered ${status}.`);
    this.status = status;
    this.type = body.type || "about:blank";
    this.title = body.title || "";
    /** @type {Record<string, string>} */
    this.fields = {};
    for (const error of body.errors || []) {
      this.fields[error.field] = error.message;
    }
    // A 412 carries the version saved meanwhile.
    this.etag = etag;
  }
}

/**
 * @param {Response} response
 * @returns {Promise<ProblemBody>}
 */
async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: response.statusText, detail: `The server answered ${response.status}.` };
  }
}

/**
 * The address of an operation: its template with each `{name}` filled in (encoded),
 * and the query's values that are set (empty strings, null and undefined are left out).
 * @param {Template} template
 * @param {Record<string, string>} [params]
 * @param {Query} [query]
 */
export function address(template, params = {}, query = {}) {
  const path = template.replace(/\{(\w+)\}/g, (_, name) => {
    if (!(name in params)) throw new Error(`${template} needs {${name}}`);
    return encodeURIComponent(params[name]);
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const rest = search.toString();
  return rest ? `${path}?${rest}` : path;
}

/** @param {Problem} problem */
function sessionEnded(problem) {
  endSession();
  onSignedOut(problem);
}

/**
 * Sends one request; resolves to {data, etag} or throws a Problem. `body` is sent as
 * JSON, `ifMatch` as If-Match. `data` is whatever the server answered: the resource
 * modules give it its type from the OpenAPI document.
 * @param {string} method
 * @param {string} path an address made by `address()`
 * @param {{ body?: unknown, ifMatch?: string | null }} [options]
 * @returns {Promise<{ data: any, etag: string | null }>}
 */
export async function request(method, path, { body, ifMatch } = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (ifMatch) headers["if-match"] = ifMatch;
  let payload;
  if (body !== undefined) {
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
    if (response.status === 401 && token !== null && !path.startsWith(LOGIN)) sessionEnded(problem);
    if (response.status === 403 && token !== null) onRefused(problem);
    throw problem;
  }
  const data = response.status === 204 ? null : await response.json();
  return { data, etag };
}

/**
 * A GET's answer.
 * @param {string} path
 */
export async function read(path) {
  return (await request("GET", path)).data;
}

/**
 * A write's answer (null for 204).
 * @param {"POST" | "PUT" | "PATCH" | "DELETE"} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {string | null} [ifMatch]
 */
export async function write(method, path, body, ifMatch) {
  return (await request(method, path, { body, ifMatch })).data;
}

/**
 * A file on its way up: `promise` resolves to what the server answered, `cancel`
 * stops it (the promise then rejects with a "Cancelled" Problem).
 * @template T
 * @typedef {{ promise: Promise<T>, cancel: () => void }} Upload
 */

/**
 * Uploads one file as the raw body (streamed by the server to storage), reporting
 * progress: `onProgress({loaded, total})`. XMLHttpRequest, because fetch cannot report
 * upload progress.
 * @param {string} path an address made by `address()`, without a query
 * @param {File} file
 * @param {(progress: { loaded: number, total: number }) => void} onProgress
 * @returns {Upload<any>}
 */
export function upload(path, file, onProgress) {
  const xhr = new XMLHttpRequest();
  const search = new URLSearchParams({ file_name: file.name });
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
      if (xhr.status === 401 && token !== null) sessionEnded(problem);
      reject(problem);
    };
    xhr.onerror = () => reject(new Problem(0, { title: "No connection", detail: "The upload was interrupted: the server could not be reached." }));
    xhr.onabort = () => reject(new Problem(0, { title: "Cancelled", detail: "The upload was cancelled." }));
    xhr.send(file);
  });
  return { promise, cancel: () => xhr.abort() };
}

/**
 * A file the API serves to signed-in users as a `data:` URL, for a thumbnail (drafts'
 * files need the token, which an `<img>` cannot send). Not a `blob:` URL: one of those
 * belongs to the admin origin, so an SVG opened from it on its own would run its
 * scripts there; a `data:` URL has an opaque origin, and browsers do not open one as
 * a page.
 * @param {string} url as the API gave it
 * @returns {Promise<string | null>}
 */
export async function dataUrl(url) {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
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
 * the browser to save, under the name the server gives; resolves to that name.
 * @param {string} path an address made by `address()`
 * @param {string} fallbackName
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
