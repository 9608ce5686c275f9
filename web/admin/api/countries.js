// @ts-check
// The EU member states with their time zones and languages, read once per page load.

import { address, read } from "./http.js";

/** @typedef {import("./http.js").Schemas["CountryResponse"]} Country */

/** @type {Promise<Country[]> | null} */
let once = null;

/**
 * Every member state; an empty list when they cannot be read (asked again next time).
 * @returns {Promise<Country[]>}
 */
export function countryFacts() {
  once ??= read(address("/api/v1/admin/countries")).catch(() => {
    once = null;
    return [];
  });
  return once;
}
