// @ts-check
// One translation of an item: its draft, publishing now or later, its schedule, the
// source it follows, a preview link for a site, and the Markdown preview of a body.

import { address, read, write } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** @typedef {import("./items.js").KindPath} KindPath */
/** @typedef {import("./items.js").Item} Item */
/** What a save of the draft sends. @typedef {Schemas["TranslationBody"]} Draft */
/** @typedef {Schemas["SourceChangesResponse"]} SourceChanges */
/** @typedef {Schemas["PreviewLinkResponse"]} PreviewLink */

/**
 * Saves the draft if it is still the version `etag` names (none: the translation is
 * new); a 412 means someone saved it meanwhile.
 * @param {KindPath} kind
 * @param {string} id
 * @param {string} locale
 * @param {Draft} draft
 * @param {string | null | undefined} etag
 * @returns {Promise<Item>}
 */
export function saveDraft(kind, id, locale, draft, etag) {
  return write("PUT", address("/api/v1/admin/{kind}/{id}/translations/{locale}", { kind, id, locale }), draft, etag);
}

/**
 * Publishes the draft now, or at `at` (a scheduled publication).
 * @param {KindPath} kind
 * @param {string} id
 * @param {string} locale
 * @param {string | null | undefined} etag
 * @param {string} [at]
 * @returns {Promise<Item>}
 */
export function publish(kind, id, locale, etag, at) {
  const path = address("/api/v1/admin/{kind}/{id}/translations/{locale}/publish", { kind, id, locale });
  return write("POST", path, at ? { at } : undefined, etag);
}

/**
 * Takes the translation off the sites now, or at `at`.
 * @param {KindPath} kind
 * @param {string} id
 * @param {string} locale
 * @param {string | null | undefined} etag
 * @param {string} [at]
 * @returns {Promise<Item>}
 */
export function unpublish(kind, id, locale, etag, at) {
  const path = address("/api/v1/admin/{kind}/{id}/translations/{locale}/unpublish", { kind, id, locale });
  return write("POST", path, at ? { at } : undefined, etag);
}

/**
 * @param {KindPath} kind
 * @param {string} id
 * @param {string} locale
 * @returns {Promise<Item>}
 */
export function cancelSchedule(kind, id, locale) {
  return write("DELETE", address("/api/v1/admin/{kind}/{id}/translations/{locale}/schedule", { kind, id, locale }));
}

/**
 * @param {KindPath} kind
 * @param {string} id
 * @param {string} locale
 * @param {string} at
 * @returns {Promise<Item>}
 */
export function moveSchedule(kind, id, locale, at) {
  /** @type {Schemas["MoveSchedule"]} */
  const body = { at };
  return write("PATCH", address("/api/v1/admin/{kind}/{id}/translations/{locale}/schedule", { kind, id, locale }), body);
}

/**
 * What changed in the source since the revision the translation follows.
 * @param {KindPath} kind
 * @param {string} id
 * @param {string} locale
 * @returns {Promise<SourceChanges>}
 */
export function sourceChanges(kind, id, locale) {
  return read(address("/api/v1/admin/{kind}/{id}/translations/{locale}/source-changes", { kind, id, locale }));
}

/**
 * Says the translation follows the source revision `shown`, without changing its text.
 * @param {KindPath} kind
 * @param {string} id
 * @param {string} locale
 * @param {string} shown
 * @returns {Promise<null>}
 */
export function markUpToDate(kind, id, locale, shown) {
  /** @type {Schemas["UpToDateRequest"]} */
  const body = { shown };
  return write("POST", address("/api/v1/admin/{kind}/{id}/translations/{locale}/up-to-date", { kind, id, locale }), body);
}

/**
 * A link that shows the draft on `site`'s preview route.
 * @param {KindPath} kind
 * @param {string} id
 * @param {string} locale
 * @param {string} site
 * @returns {Promise<PreviewLink>}
 */
export function makePreviewLink(kind, id, locale, site) {
  /** @type {Schemas["PreviewLinkRequest"]} */
  const body = { site };
  return write("POST", address("/api/v1/admin/{kind}/{id}/translations/{locale}/preview-link", { kind, id, locale }), body);
}

/**
 * A body as publishing renders it (sanitized HTML).
 * @param {string} markdown
 * @returns {Promise<string>}
 */
export async function renderMarkdown(markdown) {
  /** @type {Schemas["MarkdownRequest"]} */
  const body = { markdown };
  /** @type {Schemas["RenderedMarkdown"]} */
  const rendered = await write("POST", address("/api/v1/admin/markdown"), body);
  return rendered.html;
}
