// @ts-check
// API tokens for frontends, their previews and automation; the secret comes once, in
// the answer to creating one.

import { address, read, write } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** @typedef {import("buysocial-api").operations} Operations */
/** @typedef {Schemas["TokenResponse"]} Token */
/** @typedef {Schemas["TokenList"]} TokenList */
/** @typedef {Schemas["TokenKindName"]} TokenKind */
/** @typedef {Schemas["CreateTokenRequest"]} NewToken */
/** A token with its secret, shown once. @typedef {Schemas["CreatedToken"]} CreatedToken */

/**
 * @param {NonNullable<Operations["tokens_list"]["parameters"]["query"]>} [query]
 * @returns {Promise<TokenList>}
 */
export function listTokens(query = {}) {
  return read(address("/api/v1/admin/tokens", {}, query));
}

/**
 * @param {NewToken} token
 * @returns {Promise<CreatedToken>}
 */
export function createToken(token) {
  return write("POST", address("/api/v1/admin/tokens"), token);
}

/**
 * @param {string} id
 * @returns {Promise<null>}
 */
export function revokeToken(id) {
  return write("DELETE", address("/api/v1/admin/tokens/{id}", { id }));
}
