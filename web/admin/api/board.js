// @ts-check
// The translation board and the "while you were away" feed above it.

import { address, read, write } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** @typedef {import("buysocial-api").operations} Operations */
/** @typedef {Schemas["BoardResponse"]} Board */
/** @typedef {Schemas["CellStateName"]} CellState */
/** @typedef {Schemas["ActivityResponse"]} Activity */
/** @typedef {Schemas["ActivityEntry"]} ActivityEntry */
/** @typedef {NonNullable<Operations["content_board"]["parameters"]["query"]>} BoardQuery */

/**
 * @param {BoardQuery} [query]
 * @returns {Promise<Board>}
 */
export function readBoard(query = {}) {
  return read(address("/api/v1/admin/board", {}, query));
}

/** What concerns the caller since they last marked it seen. @returns {Promise<Activity>} */
export function readActivity() {
  return read(address("/api/v1/admin/activity"));
}

/** @returns {Promise<null>} */
export function markActivitySeen() {
  return write("POST", address("/api/v1/admin/activity/seen"));
}
