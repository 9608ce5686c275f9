// @ts-check
// The four kinds of content as the app names them, and each kind's language-neutral
// details: which fields, in which rows, asked how. Every screen that shows, fills or
// sends an item's details (the editor, a new item) reads them from here.

import { toLocalInput, toOffsetDateTime } from "./widgets/zones.js";

/** @typedef {import("./api/items.js").KindPath} KindPath */
/** @typedef {import("./api/items.js").KindName} KindName */
/** @typedef {import("./api/items.js").Fields} Fields */

/**
 * How a field is asked, and so how the form holds it: text inputs hold strings (empty:
 * not set), `materials` a list of ids, `languages` codes separated by commas, `yes-no`
 * (a checkbox) a boolean.
 * @typedef {"text" | "url" | "date" | "datetime" | "number" | "choice" | "yes-no" | "zone" | "languages" | "cover" | "materials"} Input
 */

/**
 * One field of a kind's details. A `datetime`'s hint is followed by its time zone.
 * @typedef {object} DetailField
 * @property {keyof Fields} name the API's name, in `fields`
 * @property {string} label
 * @property {Input} input
 * @property {string} [hint]
 * @property {[string, string][]} [options] a `choice`'s values and words; the first is the default
 * @property {boolean} [unset] a `yes-no`'s value when the item does not say
 * @property {(form: DetailsForm) => boolean} [shownWhen]
 */

/** The values of a details form, as its inputs hold them. @typedef {Record<string, any>} DetailsForm */

/**
 * A kind: the address part, the API's name, the words, and its details (rows of fields;
 * a row of several is shown side by side).
 * @typedef {object} Kind
 * @property {KindPath} path
 * @property {KindName} kind
 * @property {string} label
 * @property {string} one
 * @property {string | null} details the heading of its details; pages have a place in the navigation instead
 * @property {DetailField[][]} rows
 */

/** @type {[string, string][]} */
export const MATERIAL_KINDS = [
  ["presentation", "Presentation"], ["report", "Report"], ["guide", "Guide"],
  ["handout", "Handout"], ["video", "Video"], ["other", "Other"],
];

/** @type {[string, string][]} */
export const REGISTRATION_MODES = [
  ["form", "Sign-up form on the site"], ["external", "Sign-up elsewhere (a link)"], ["closed", "No sign-up"],
];

/** @type {DetailField} */
const COVER = { name: "cover_asset_id", label: "Cover image", input: "cover" };

/** @type {Kind[]} */
export const KINDS = [
  { path: "pages", kind: "page", label: "Pages", one: "page", details: null, rows: [] },
  {
    path: "news", kind: "news", label: "News", one: "news item", details: "News details",
    rows: [[{ name: "date", label: "Date", input: "date" }], [COVER]],
  },
  {
    path: "events", kind: "event", label: "Events", one: "event", details: "Event details",
    rows: [
      [
        { name: "starts_at", label: "Starts", input: "datetime" },
        { name: "ends_at", label: "Ends", input: "datetime" },
        { name: "time_zone", label: "Time zone", input: "zone" },
      ],
      [{ name: "city", label: "City", input: "text" }, { name: "venue", label: "Venue", input: "text" }],
      [{ name: "online_url", label: "Online link", input: "url", hint: "For an online event, instead of a city" }],
      [
        { name: "capacity", label: "Places", input: "number", hint: "Empty: no limit" },
        { name: "registration_mode", label: "Sign-up", input: "choice", options: REGISTRATION_MODES },
      ],
      [{ name: "registration_url", label: "Sign-up link", input: "url", shownWhen: (form) => form.registration_mode === "external" }],
      [{
        name: "double_opt_in", label: "Ask people to confirm their address by mail", input: "yes-no", unset: true,
        hint: "Sign-ups wait until the person follows the link we mail them; unconfirmed ones free their place after a while.",
        shownWhen: (form) => form.registration_mode === "form",
      }],
      [{
        name: "waitlist", label: "Keep a waitlist when the event is full", input: "yes-no", unset: true,
        hint: "People can join the waitlist when all places are taken; a place that frees up is offered by mail to the first on the list.",
        shownWhen: (form) => form.registration_mode === "form",
      }],
      [
        { name: "registration_opens_at", label: "Sign-up opens", input: "datetime", hint: "Empty: open now." },
        { name: "registration_closes_at", label: "Sign-up closes", input: "datetime", hint: "Empty: at the start." },
      ],
      [{ name: "workshop_languages", label: "Workshop languages", input: "languages", hint: "Language codes, separated by commas, e.g. fr, nl" }],
      [COVER],
      [{ name: "materials", label: "Materials", input: "materials" }],
    ],
  },
  {
    path: "materials", kind: "material", label: "Materials", one: "material", details: "Material details",
    rows: [[{ name: "material_kind", label: "Kind of material", input: "choice", options: MATERIAL_KINDS }]],
  },
];

/**
 * The address part of a kind the API names (`event` → `events`).
 * @param {KindName | string} kind
 * @returns {KindPath}
 */
export function pathOf(kind) {
  return KINDS.find((k) => k.kind === kind)?.path || /** @type {KindPath} */ (kind);
}

/**
 * The kind whose address part is `path`, if any.
 * @param {string} path
 */
export function kindAt(path) {
  return KINDS.find((k) => k.path === path);
}

/**
 * The fields of a kind's details.
 * @param {Kind} kind
 */
export function detailFields(kind) {
  return kind.rows.flat();
}

/**
 * The form values of an item's details (strings, as inputs hold them).
 * @param {Kind} kind
 * @param {Fields} [fields]
 * @returns {DetailsForm}
 */
export function formOf(kind, fields = {}) {
  /** @type {DetailsForm} */
  const form = {};
  for (const field of detailFields(kind)) {
    const value = /** @type {any} */ (fields[field.name]);
    switch (field.input) {
      case "datetime":
        form[field.name] = toLocalInput(value);
        break;
      case "number":
        form[field.name] = value == null ? "" : String(value);
        break;
      case "choice":
        form[field.name] = value ?? field.options?.[0]?.[0] ?? "";
        break;
      case "yes-no":
        form[field.name] = value ?? field.unset ?? false;
        break;
      case "materials":
        form[field.name] = value ?? [];
        break;
      case "languages":
        form[field.name] = (value ?? []).join(", ");
        break;
      default:
        form[field.name] = value ?? "";
    }
  }
  return form;
}

/**
 * The API's `fields` from form values; an empty optional field is cleared (null).
 * @param {Kind} kind
 * @param {DetailsForm} form
 * @returns {Fields}
 */
export function fieldsOf(kind, form) {
  /** @param {string} v */
  const text = (v) => (v.trim() === "" ? null : v.trim());
  /** @type {Record<string, unknown>} */
  const fields = {};
  for (const field of detailFields(kind)) {
    const value = form[field.name];
    switch (field.input) {
      case "datetime":
        fields[field.name] = toOffsetDateTime(value, form.time_zone);
        break;
      case "number":
        fields[field.name] = value.trim() === "" ? null : Number(value);
        break;
      case "choice":
        fields[field.name] = value;
        break;
      case "yes-no":
        fields[field.name] = Boolean(value);
        break;
      case "materials":
        fields[field.name] = value.length ? value : null;
        break;
      case "languages":
        fields[field.name] = value.split(",").map((/** @type {string} */ l) => l.trim().toLowerCase()).filter(Boolean);
        break;
      default:
        fields[field.name] = text(value);
    }
  }
  return /** @type {Fields} */ (fields);
}
