// @ts-check
// Outgoing webhooks: receivers, a test ping, and their deliveries with every attempt.

import { address, read, write } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** @typedef {Schemas["WebhookResponse"]} Webhook */
/** @typedef {Schemas["WebhookList"]} WebhookList */
/** @typedef {Schemas["CreateWebhookRequest"]} NewWebhook */
/** @typedef {Schemas["UpdateWebhookRequest"]} WebhookChanges */
/** A webhook with its signing secret, shown once. @typedef {Schemas["CreatedWebhook"]} CreatedWebhook */
/** @typedef {Schemas["DeliveryResponse"]} Delivery */
/** @typedef {Schemas["DeliveryList"]} DeliveryList */

/** Every webhook. @returns {Promise<WebhookList>} */
export function listWebhooks() {
  return read(address("/api/v1/admin/webhooks", {}, { per_page: 100 }));
}

/**
 * @param {string} id
 * @returns {Promise<Webhook>}
 */
export function getWebhook(id) {
  return read(address("/api/v1/admin/webhooks/{id}", { id }));
}

/**
 * @param {NewWebhook} webhook
 * @returns {Promise<CreatedWebhook>}
 */
export function createWebhook(webhook) {
  return write("POST", address("/api/v1/admin/webhooks"), webhook);
}

/**
 * @param {string} id
 * @param {WebhookChanges} changes
 * @returns {Promise<Webhook>}
 */
export function updateWebhook(id, changes) {
  return write("PATCH", address("/api/v1/admin/webhooks/{id}", { id }), changes);
}

/**
 * @param {string} id
 * @returns {Promise<null>}
 */
export function deleteWebhook(id) {
  return write("DELETE", address("/api/v1/admin/webhooks/{id}", { id }));
}

/**
 * Sends a test event now and answers with its delivery.
 * @param {string} id
 * @returns {Promise<Delivery>}
 */
export function pingWebhook(id) {
  return write("POST", address("/api/v1/admin/webhooks/{id}/ping", { id }));
}

/**
 * The newest deliveries, with their attempts.
 * @param {string} id
 * @returns {Promise<DeliveryList>}
 */
export function listDeliveries(id) {
  return read(address("/api/v1/admin/webhooks/{id}/deliveries", { id }, { per_page: 50 }));
}

/**
 * Sends a delivery again, with the same id.
 * @param {string} id
 * @param {string} deliveryId
 * @returns {Promise<Delivery>}
 */
export function redeliver(id, deliveryId) {
  return write("POST", address("/api/v1/admin/webhooks/{id}/deliveries/{delivery_id}/redeliver", { id, delivery_id: deliveryId }));
}
