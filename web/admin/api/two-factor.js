// @ts-check
// One's own two-factor sign-in: a secret for an authenticator app, confirmed with a
// code from it; recovery codes; turning it off with the password.

import { address, write } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** @typedef {Schemas["EnrolmentResponse"]} Enrolment */
/** @typedef {Schemas["RecoveryCodesResponse"]} RecoveryCodes */

/**
 * A new secret for the app (a QR code and as text); nothing changes until it is confirmed.
 * @returns {Promise<Enrolment>}
 */
export function startTwoFactor() {
  return write("POST", address("/api/v1/auth/totp/enrol"));
}

/**
 * Turns it on with a code from the app; resolves to the ten recovery codes, shown only now.
 * @param {string} code
 * @returns {Promise<RecoveryCodes>}
 */
export function turnOnTwoFactor(code) {
  /** @type {Schemas["CodeRequest"]} */
  const body = { code };
  return write("POST", address("/api/v1/auth/totp/confirm"), body);
}

/**
 * Ten new recovery codes (the old ones stop working), with a code from the app.
 * @param {string} code
 * @returns {Promise<RecoveryCodes>}
 */
export function newRecoveryCodes(code) {
  /** @type {Schemas["CodeRequest"]} */
  const body = { code };
  return write("POST", address("/api/v1/auth/totp/recovery-codes"), body);
}

/**
 * @param {string} password
 * @returns {Promise<null>}
 */
export function turnOffTwoFactor(password) {
  /** @type {Schemas["DisableRequest"]} */
  const body = { password };
  return write("POST", address("/api/v1/auth/totp/disable"), body);
}
