// @ts-check
// The tags in use, with how many items carry each.

import { address, read } from "./http.js";

/** @typedef {import("./http.js").Schemas["TagResponse"]} Tag */

/** @returns {Promise<Tag[]>} */
export function listTags() {
  return read(address("/api/v1/admin/tags"));
}
