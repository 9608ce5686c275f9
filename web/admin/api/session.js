// @ts-check
// Signing in and out (with a second step for two-factor sign-in, and through a single
// sign-on provider), who is signed in and what they may do, changing one's own password,
// and choosing a new one through a mailed link.

import { address, endSession, hasSession, read, startSession, write } from "./http.js";

export { hasSession, whenRefused, whenSignedOut } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** Who is signed in (a person, or an automation token) and what they may do. @typedef {Schemas["MeResponse"]} Me */
/** A person's session, as `whoAmI` answers it. @typedef {Extract<Me, { kind: "session" }>} SessionMe */
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
 * The person signed in, when their role must use two-factor sign-in and they have not
 * set it up: the API refuses them everything else until they do.
 * @param {Me} me
 */
export function mustSetUpTwoFactor(me) {
  return me.kind === "session" && me.two_factor.required && !me.two_factor.enabled;
}

/**
 * The countries and languages the caller works in (empty: all).
 * @param {Me} me
 */
export function callerScope(me) {
  return me.kind === "session" ? me.user.scope : me.token.scope;
}

/** The second step of signing in: its challenge, and until when it works. @typedef {Schemas["SecondFactorNeeded"]} CodeNeeded */

/**
 * Signs in and keeps the session for this tab; for an account with two-factor sign-in,
 * resolves instead to the step that asks for a code (`signInWithCode`).
 * @param {string} email
 * @param {string} password
 * @returns {Promise<CodeNeeded | null>} null once signed in
 */
export async function signIn(email, password) {
  /** @type {Schemas["LoginRequest"]} */
  const body = { email, password };
  return begin(await write("POST", address("/api/v1/auth/login"), body));
}

/**
 * What a right password (or a single sign-on's code) answers: the session starts, or
 * the step that asks for a code.
 * @param {Schemas["LoginAnswer"]} answer
 * @returns {CodeNeeded | null} null once signed in
 */
function begin(answer) {
  if (answer.status === "code_needed") {
    return { challenge: answer.challenge, expires_at: answer.expires_at };
  }
  startSession(answer.token);
  return null;
}

/** A single sign-on provider, as the sign-in page offers it. @typedef {Schemas["ProviderResponse"]} SignInService */

/**
 * The single sign-on providers ("Sign in with EU Login"); none when none is set up.
 * Their `start_url` is for a browser navigation (a link), never a fetch.
 * @returns {Promise<SignInService[]>}
 */
export async function listSignInServices() {
  /** @type {Schemas["ProviderList"]} */
  const list = await read(address("/api/v1/auth/sso"));
  return list.providers;
}

/**
 * How a single sign-on ended, as the server put it after `#` in the sign-in page's
 * address: a one-minute code to exchange, or why not (`sso_error`).
 * @typedef {{ code: string } | { error: string }} SignOnAnswer
 */

/**
 * The end of a single sign-on in the address (`#sso=…` or `#sso_error=…`), taken out of
 * the address bar at once, so that the code stays neither on screen nor in the
 * history; null when the address has none.
 * @returns {SignOnAnswer | null}
 */
export function takeSignOnAnswer() {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  const code = fragment.get("sso");
  const error = fragment.get("sso_error");
  if (code === null && error === null) return null;
  history.replaceState(history.state, "", window.location.pathname + window.location.search);
  return code ? { code } : { error: error || "" };
}

/**
 * Exchanges a single sign-on's code for a session, as `signIn` does with a password
 * (and, for an account with two-factor sign-in, resolves to the step that asks for a
 * code). A session this tab had ends first: the person has just signed in anew.
 * @param {string} code what followed `#sso=`
 * @returns {Promise<CodeNeeded | null>} null once signed in
 */
export async function signInWithSignOnCode(code) {
  if (hasSession()) await signOut();
  /** @type {Schemas["ExchangeRequest"]} */
  const body = { code };
  return begin(await write("POST", address("/api/v1/auth/sso/exchange"), body));
}

/**
 * The second step: a code from the authenticator app, or one of the recovery codes.
 * @param {string} challenge what `signIn` resolved to
 * @param {{ code: string } | { recovery_code: string }} proof
 * @returns {Promise<void>}
 */
export async function signInWithCode(challenge, proof) {
  /** @type {Schemas["SecondFactorRequest"]} */
  const body = { challenge, ...proof };
  /** @type {Schemas["LoginResponse"]} */
  const session = await write("POST", address("/api/v1/auth/login/totp"), body);
  startSession(session.token);
}

/**
 * Asks for a mail with a link to choose a new password: the same answer whether or not
 * an account uses the address.
 * @param {string} email
 * @returns {Promise<Schemas["ResetRequested"]>}
 */
export function askForPasswordLink(email) {
  /** @type {Schemas["ResetRequest"]} */
  const body = { email };
  return write("POST", address("/api/v1/auth/password-reset"), body);
}

/**
 * Chooses a new password with the token of a mailed link; every session of the account
 * ends, so the person signs in again with it.
 * @param {string} token
 * @param {string} newPassword
 * @returns {Promise<null>}
 */
export function resetPassword(token, newPassword) {
  /** @type {Schemas["ResetConfirm"]} */
  const body = { token, new_password: newPassword };
  return write("POST", address("/api/v1/auth/password-reset/confirm"), body);
}

/**
 * The token a mailed link carries after `#token=`, taken out of the address bar at
 * once (so that it stays neither on screen nor in the history); "" when there is none.
 */
export function takeLinkToken() {
  const token = new URLSearchParams(window.location.hash.replace(/^#/, "")).get("token") || "";
  if (window.location.hash) {
    history.replaceState(history.state, "", window.location.pathname + window.location.search);
  }
  return token;
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
