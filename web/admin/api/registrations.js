// @ts-check
// Event sign-ups for organisers: the event desk, one event's sign-ups (every read of
// them is audited), a CSV export, and erasing one person's sign-up.

import { address, read, saveFile, write } from "./http.js";

/** @typedef {import("./http.js").Schemas} Schemas */
/** @typedef {import("buysocial-api").operations} Operations */
/** @typedef {Schemas["DeskList"]} DeskList */
/** @typedef {Schemas["DeskEventResponse"]} DeskEvent */
/** @typedef {Schemas["RegistrationResponse"]} Registration */
/** @typedef {Schemas["SeparatorName"]} Separator */
/** @typedef {NonNullable<Operations["event_desk"]["parameters"]["query"]>} DeskQuery */

/**
 * The events of the caller's countries with their sign-ups against capacity.
 * @param {DeskQuery} [query]
 * @returns {Promise<DeskList>}
 */
export function eventDesk(query = {}) {
  return read(address("/api/v1/admin/event-desk", {}, query));
}

/**
 * @param {string} eventId
 * @returns {Promise<Registration[]>}
 */
export function listRegistrations(eventId) {
  return read(address("/api/v1/admin/events/{id}/registrations", { id: eventId }));
}

/**
 * Saves the sign-ups as a CSV file; resolves to the file's name.
 * @param {string} eventId
 * @param {Separator} separator
 */
export function downloadRegistrations(eventId, separator) {
  const path = address("/api/v1/admin/events/{id}/registrations", { id: eventId }, { format: "csv", separator });
  return saveFile(path, "sign-ups.csv");
}

/**
 * @param {string} eventId
 * @param {string} registrationId
 * @returns {Promise<null>}
 */
export function eraseRegistration(eventId, registrationId) {
  return write("DELETE", address("/api/v1/admin/events/{id}/registrations/{rid}", { id: eventId, rid: registrationId }));
}
