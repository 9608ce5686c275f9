// @ts-check
// Invitations: an administrator invites someone by mail with a role and scope; the
// person opens the mailed link, chooses a password and is signed in.

import { address, read, startSession, write } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** @typedef {import("buysocial-api").operations} Operations */
/** @typedef {Schemas["InvitationResponse"]} Invitation */
/** @typedef {Schemas["InvitationList"]} InvitationList */
/** @typedef {Schemas["CreateInvitationRequest"]} NewInvitation */

/**
 * The invitations neither accepted nor withdrawn: pending while the link works, expired after.
 * @param {NonNullable<Operations["invitations_list"]["parameters"]["query"]>} [query]
 * @returns {Promise<InvitationList>}
 */
export function listInvitations(query = {}) {
  return read(address("/api/v1/admin/invitations", {}, query));
}

/**
 * @param {NewInvitation} invitation
 * @returns {Promise<Invitation>}
 */
export function invite(invitation) {
  return write("POST", address("/api/v1/admin/invitations"), invitation);
}

/**
 * A new mail with a new link; the earlier link stops working.
 * @param {string} id
 * @returns {Promise<Invitation>}
 */
export function sendInvitationAgain(id) {
  return write("POST", address("/api/v1/admin/invitations/{id}/resend", { id }));
}

/**
 * @param {string} id
 * @returns {Promise<null>}
 */
export function withdrawInvitation(id) {
  return write("DELETE", address("/api/v1/admin/invitations/{id}", { id }));
}

/**
 * What the link of an invitation offers (changes nothing), for the person it was sent to.
 * @param {string} token
 * @returns {Promise<Invitation>}
 */
export function openInvitation(token) {
  /** @type {Schemas["InvitationToken"]} */
  const body = { token };
  return write("POST", address("/api/v1/auth/invitations/open"), body);
}

/**
 * Makes the account with the chosen password, and keeps its first session for this tab.
 * @param {string} token
 * @param {string} password
 * @param {string} displayName empty: the name the administrator gave
 * @returns {Promise<void>}
 */
export async function acceptInvitation(token, password, displayName) {
  /** @type {Schemas["AcceptInvitation"]} */
  const body = { token, password };
  if (displayName) body.display_name = displayName;
  /** @type {Schemas["LoginResponse"]} */
  const session = await write("POST", address("/api/v1/auth/invitations/accept"), body);
  startSession(session.token);
}
