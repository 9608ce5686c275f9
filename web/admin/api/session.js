// @ts-check
// Signing in and out, who is signed in and what they may do, and changing one's own
// password.

import { address, endSession, read, startSession, write } from "./http.js";

export { hasSession, whenSignedOut } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** Who is signed in (a person, or an automation token) and what they may do. @typedef {Schemas["MeResponse"]} Me */
/** @typedef {Schemas["PermissionsResponse"]} Permissions */
/** @typedef {Schemas["UserResponse"]} User */

/**
 * The person signed in; null when the app is used with an automation token.
 * @param {Me} me
 * @returns {User | null}
 */
export function userOf(me) {
  return me.kind === "session" ? me.user : null;
}

/**
 * The countries and languages the caller works in (empty: all).
 * @param {Me} me
 */
export function callerScope(me) {
  return me.kind === "session" ? me.user.scope : me.token.scope;
}

/**
 * Signs in and keeps the session for this tab.
 * @param {string} email
 * @param {string} password
 * @returns {Promise<void>}
 */
export async function signIn(email, password) {
  /** @type {Schemas["LoginRequest"]} */
  const body = { email, password };
  /** @type {Schemas["LoginResponse"]} */
  const session = await write("POST", address("/api/v1/auth/login"), body);
  startSession(session.token);
}

/** Ends the session here, whatever the server answers. */
export async function signOut() {
  try {
    await write("POST", address("/api/v1/auth/logout"));
  } catch {
    // Signed out here whatever the server says.
  }
  endSession();
}

/** @returns {Promise<Me>} */
export function whoAmI() {
  return read(address("/api/v1/auth/me"));
}

/**
 * @param {string} current
 * @param {string} next
 * @returns {Promise<null>}
 */
export function changePassword(current, next) {
  /** @type {Schemas["ChangePasswordRequest"]} */
  const body = { current_password: current, new_password: next };
  return write("POST", address("/api/v1/auth/password"), body);
}

/**
 * How the person signed in hears about sign-ups to the events of their countries.
 * @param {Schemas["SignUpNoticesName"]} notices
 * @returns {Promise<User>}
 */
export function setSignUpNotices(notices) {
  /** @type {Schemas["MySettingsRequest"]} */
  const body = { sign_up_notices: notices };
  return write("PATCH", address("/api/v1/auth/me"), body);
}
