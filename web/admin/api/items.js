// @ts-check
// Content items of the four kinds (pages, news, events, materials): lists, one item
// with all its translations, its language-neutral details, the trash, and its history
// of revisions.

import { address, read, write } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** @typedef {import("buysocial-api").operations} Operations */
/** The address part of a kind: `events`. @typedef {Schemas["KindPath"]} KindPath */
/** The API's name of a kind: `event`. @typedef {Schemas["KindName"]} KindName */
/** @typedef {Schemas["ItemResponse"]} Item */
/** @typedef {Schemas["TranslationResponse"]} Translation */
/** @typedef {Schemas["FieldsBody"]} Fields */
/** @typedef {Schemas["ItemList"]} ItemList */
/** @typedef {Schemas["ItemSummaryResponse"]} ItemSummary */
/** @typedef {Schemas["CreateItemRequest"]} NewItem */
/** @typedef {Schemas["UpdateItemRequest"]} ItemChanges */
/** What happens to scheduled publications when what they publish changes. @typedef {Schemas["ScheduleChoiceName"]} ScheduleChoice */
/** @typedef {Schemas["RevisionList"]} RevisionList */
/** @typedef {Schemas["RevisionResponse"]} Revision */
/** @typedef {Schemas["RevisionDetailResponse"]} RevisionDetail */
/** @typedef {NonNullable<Operations["content_list"]["parameters"]["query"]>} ItemQuery */

/**
 * @param {KindPath} kind
 * @param {ItemQuery} [query]
 * @returns {Promise<ItemList>}
 */
export function listItems(kind, query = {}) {
  return read(address("/api/v1/admin/{kind}", { kind }, query));
}

/**
 * @param {KindPath} kind
 * @param {string} id
 * @returns {Promise<Item>}
 */
export function getItem(kind, id) {
  return read(address("/api/v1/admin/{kind}/{id}", { kind, id }));
}

/**
 * @param {KindPath} kind
 * @param {NewItem} item
 * @returns {Promise<Item>}
 */
export function createItem(kind, item) {
  return write("POST", address("/api/v1/admin/{kind}", { kind }), item);
}

/**
 * Changes an item's details, countries, tags or place, if it is still the version
 * `etag` names.
 * @param {KindPath} kind
 * @param {string} id
 * @param {ItemChanges} changes
 * @param {string} etag
 * @returns {Promise<Item>}
 */
export function updateItem(kind, id, changes, etag) {
  return write("PATCH", address("/api/v1/admin/{kind}/{id}", { kind, id }), changes, etag);
}

/**
 * Brings the item's current details live for `locales`, each keeping its live text.
 * @param {KindPath} kind
 * @param {string} id
 * @param {string[]} locales
 * @param {string} etag
 * @returns {Promise<Item>}
 */
export function publishDetails(kind, id, locales, etag) {
  return write("POST", address("/api/v1/admin/{kind}/{id}/publish-details", { kind, id }), { locales }, etag);
}

/**
 * @param {KindPath} kind
 * @param {string} id
 * @param {string} etag
 * @returns {Promise<null>}
 */
export function trashItem(kind, id, etag) {
  return write("DELETE", address("/api/v1/admin/{kind}/{id}", { kind, id }), undefined, etag);
}

/**
 * @param {KindPath} kind
 * @param {string} id
 * @returns {Promise<Item>}
 */
export function restoreItem(kind, id) {
  return write("POST", address("/api/v1/admin/{kind}/{id}/restore", { kind, id }));
}

/**
 * @param {KindPath} kind
 * @param {string} id
 * @param {NonNullable<Operations["content_revisions"]["parameters"]["query"]>} [query]
 * @returns {Promise<RevisionList>}
 */
export function listRevisions(kind, id, query = {}) {
  return read(address("/api/v1/admin/{kind}/{id}/revisions", { kind, id }, query));
}

/**
 * One revision with what it changed, field by field.
 * @param {KindPath} kind
 * @param {string} id
 * @param {string} rev
 * @returns {Promise<RevisionDetail>}
 */
export function getRevision(kind, id, rev) {
  return read(address("/api/v1/admin/{kind}/{id}/revisions/{rev}", { kind, id, rev }));
}

/**
 * Makes a revision's content the draft (or the details) again; `schedule` says what
 * happens to a scheduled publication it replaces.
 * @param {KindPath} kind
 * @param {string} id
 * @param {string} rev
 * @param {ScheduleChoice} [schedule]
 * @returns {Promise<Item>}
 */
export function restoreRevision(kind, id, rev, schedule) {
  return write("POST", address("/api/v1/admin/{kind}/{id}/revisions/{rev}/restore", { kind, id, rev }, { schedule }));
}
