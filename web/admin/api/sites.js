// @ts-check
// The national frontends as sites: countries, languages and fallback, and what a
// site's readers would see of one item with settings not saved yet.

import { address, read, write } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** @typedef {Schemas["SiteResponse"]} Site */
/** @typedef {Schemas["SiteList"]} SiteList */
/** @typedef {Schemas["CreateSiteRequest"]} NewSite */
/** @typedef {Schemas["UpdateSiteRequest"]} SiteChanges */
/** @typedef {Schemas["SitePreviewRequest"]} SitePreviewRequest */
/** @typedef {Schemas["SitePreviewResponse"]} SitePreview */

/** Every site (a campaign has a few dozen at most). @returns {Promise<SiteList>} */
export function listSites() {
  return read(address("/api/v1/admin/sites", {}, { per_page: 100 }));
}

/**
 * @param {string} code
 * @returns {Promise<Site>}
 */
export function getSite(code) {
  return read(address("/api/v1/admin/sites/{code}", { code }));
}

/**
 * @param {NewSite} site
 * @returns {Promise<Site>}
 */
export function createSite(site) {
  return write("POST", address("/api/v1/admin/sites"), site);
}

/**
 * @param {string} code
 * @param {SiteChanges} changes
 * @returns {Promise<Site>}
 */
export function updateSite(code, changes) {
  return write("PATCH", address("/api/v1/admin/sites/{code}", { code }), changes);
}

/**
 * Deletes the site and revokes its tokens.
 * @param {string} code
 * @returns {Promise<null>}
 */
export function deleteSite(code) {
  return write("DELETE", address("/api/v1/admin/sites/{code}", { code }));
}

/**
 * What readers of a site with these settings would see of one item (nothing is saved).
 * @param {SitePreviewRequest} request
 * @returns {Promise<SitePreview>}
 */
export function previewSite(request) {
  return write("POST", address("/api/v1/admin/sites/preview"), request);
}
