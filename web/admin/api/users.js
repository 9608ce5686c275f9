// @ts-check
// People's accounts: role and scope, disabling, a new password, deleting, resetting
// their second factor; and which roles must use one (the account policy).

import { address, read, write } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** @typedef {import("buysocial-api").operations} Operations */
/** @typedef {Schemas["UserResponse"]} User */
/** @typedef {Schemas["UserList"]} UserList */
/** @typedef {Schemas["RoleName"]} Role */
/** @typedef {Schemas["CreateUserRequest"]} NewUser */
/** @typedef {Schemas["UpdateUserRequest"]} UserChanges */
/** @typedef {NonNullable<Operations["users_list"]["parameters"]["query"]>} UserQuery */

/**
 * @param {UserQuery} [query]
 * @returns {Promise<UserList>}
 */
export function listUsers(query = {}) {
  return read(address("/api/v1/admin/users", {}, query));
}

/**
 * @param {string} id
 * @returns {Promise<User>}
 */
export function getUser(id) {
  return read(address("/api/v1/admin/users/{id}", { id }));
}

/**
 * @param {NewUser} user
 * @returns {Promise<User>}
 */
export function createUser(user) {
  return write("POST", address("/api/v1/admin/users"), user);
}

/**
 * Any of name, role, scope, disabled, password: only what is given changes.
 * @param {string} id
 * @param {UserChanges} changes
 * @returns {Promise<User>}
 */
export function updateUser(id, changes) {
  return write("PATCH", address("/api/v1/admin/users/{id}", { id }), changes);
}

/**
 * @param {string} id
 * @returns {Promise<null>}
 */
export function deleteUser(id) {
  return write("DELETE", address("/api/v1/admin/users/{id}", { id }));
}

/**
 * Turns off someone's two-factor sign-in (a lost phone); they set it up again if their
 * role must use it.
 * @param {string} id
 * @returns {Promise<null>}
 */
export function resetTwoFactor(id) {
  return write("DELETE", address("/api/v1/admin/users/{id}/totp", { id }));
}

/** @typedef {Schemas["AccountPolicy"]} AccountPolicy */

/** @returns {Promise<AccountPolicy>} */
export function getAccountPolicy() {
  return read(address("/api/v1/admin/account-policy"));
}

/**
 * @param {AccountPolicy} policy
 * @returns {Promise<AccountPolicy>}
 */
export function setAccountPolicy(policy) {
  return write("PUT", address("/api/v1/admin/account-policy"), policy);
}
