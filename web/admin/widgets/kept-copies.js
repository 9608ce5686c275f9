// @ts-check
// Typed text kept in this browser (localStorage) until it is saved, so that a reload or
// an expired session loses nothing: one copy per person, item and language. Signing
// out removes them (after asking), so they are not left for whoever uses the computer next.

import { userOf } from "../api/session.js";

/** @typedef {import("../api/session.js").Me} Me */

/** @param {Me} me */
function prefix(me) {
  return `buysocial.unsaved.${userOf(me)?.id ?? "token"}.`;
}

/**
 * Where the typed text of one translation is kept.
 * @param {Me} me
 * @param {string} id the item's
 * @param {string} locale
 */
export function keptKey(me, id, locale) {
  return `${prefix(me)}${id}.${locale}`;
}

/**
 * The keys of every copy `me` has kept here.
 * @param {Me} me
 */
export function keptCopies(me) {
  return Object.keys(localStorage).filter((key) => key.startsWith(prefix(me)));
}
