// @ts-check
// Review requests: an author asks, an editor who may publish publishes or sends back.

import { address, read, write } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** @typedef {import("./items.js").KindPath} KindPath */
/** @typedef {Schemas["ReviewResponse"]} Review */
/** @typedef {Schemas["ReviewList"]} ReviewList */
/** @typedef {Schemas["ReviewHistory"]} ReviewHistory */

/** The requests waiting for the caller. @returns {Promise<ReviewList>} */
export function reviewQueue() {
  return read(address("/api/v1/admin/review-requests", {}, { per_page: 100 }));
}

/**
 * @param {string} review
 * @returns {Promise<Review>}
 */
export function publishReviewed(review) {
  return write("POST", address("/api/v1/admin/review-requests/{review}/publish", { review }));
}

/**
 * @param {string} review
 * @param {string} answer what to change, for the author
 * @returns {Promise<Review>}
 */
export function sendBack(review, answer) {
  /** @type {Schemas["SendBackBody"]} */
  const body = { answer };
  return write("POST", address("/api/v1/admin/review-requests/{review}/send-back", { review }), body);
}

/**
 * @param {KindPath} kind
 * @param {string} id
 * @param {string} locale
 * @param {string} comment
 * @returns {Promise<Review>}
 */
export function requestReview(kind, id, locale, comment) {
  /** @type {Schemas["RequestBody"]} */
  const body = { comment };
  return write("POST", address("/api/v1/admin/{kind}/{id}/translations/{locale}/review-request", { kind, id, locale }), body);
}

/**
 * An item's review requests and their outcomes.
 * @param {KindPath} kind
 * @param {string} id
 * @returns {Promise<ReviewHistory>}
 */
export function itemReviews(kind, id) {
  return read(address("/api/v1/admin/{kind}/{id}/review-requests", { kind, id }));
}
