// @ts-check
// The media library: files with their description, where they are used, uploads with
// progress, replacing a file, and thumbnails of files readers cannot see yet.

import { address, dataUrl, read, upload, write } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** @typedef {import("buysocial-api").operations} Operations */
/** @typedef {Schemas["AssetResponse"]} Asset */
/** @typedef {Schemas["AssetList"]} AssetList */
/** An asset with what uses it. @typedef {Schemas["AssetDetail"]} AssetDetail */
/** @typedef {Schemas["UpdateAssetRequest"]} AssetChanges */
/** @typedef {NonNullable<Operations["assets_list"]["parameters"]["query"]>} AssetQuery */
/** @typedef {(progress: { loaded: number, total: number }) => void} OnProgress */

/**
 * @param {AssetQuery} [query]
 * @returns {Promise<AssetList>}
 */
export function listAssets(query = {}) {
  return read(address("/api/v1/admin/assets", {}, query));
}

/**
 * @param {string} id
 * @returns {Promise<AssetDetail>}
 */
export function getAsset(id) {
  return read(address("/api/v1/admin/assets/{id}", { id }));
}

/**
 * @param {string} id
 * @param {AssetChanges} changes
 * @returns {Promise<Asset>}
 */
export function updateAsset(id, changes) {
  return write("PATCH", address("/api/v1/admin/assets/{id}", { id }), changes);
}

/**
 * Refused (409, `asset-in-use`) while content uses the file.
 * @param {string} id
 * @returns {Promise<null>}
 */
export function deleteAsset(id) {
  return write("DELETE", address("/api/v1/admin/assets/{id}", { id }));
}

/**
 * @param {File} file
 * @param {OnProgress} onProgress
 * @returns {import("./http.js").Upload<Asset>}
 */
export function uploadAsset(file, onProgress) {
  return upload(address("/api/v1/admin/assets"), file, onProgress);
}

/**
 * A new file for an asset: the answer is the new asset that drafts now use.
 * @param {string} id
 * @param {File} file
 * @param {OnProgress} onProgress
 * @returns {import("./http.js").Upload<Asset>}
 */
export function replaceAssetFile(id, file, onProgress) {
  return upload(address("/api/v1/admin/assets/{id}/file", { id }), file, onProgress);
}

/**
 * An image of the library as a `data:` URL for a thumbnail; null when it cannot be read.
 * @param {Asset} asset
 */
export function thumbnailOf(asset) {
  return dataUrl(asset.url);
}
