// @ts-check
// The audit log, newest first, filtered.

import { address, read } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** @typedef {import("buysocial-api").operations} Operations */
/** @typedef {Schemas["AuditEntry"]} AuditEntry */
/** @typedef {Schemas["AuditList"]} AuditList */
/** @typedef {NonNullable<Operations["audit_list"]["parameters"]["query"]>} AuditQuery */

/**
 * @param {AuditQuery} [query]
 * @returns {Promise<AuditList>}
 */
export function listAudit(query = {}) {
  return read(address("/api/v1/admin/audit", {}, query));
}
