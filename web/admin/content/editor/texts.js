// @ts-check
// The texts of one translation as the editor's form holds them, and its state in words.

/** @typedef {import("../../api/items.js").Translation} Translation */

/** The fields of a translation's text, with their labels. @type {[keyof Texts, string][]} */
export const TEXT_FIELDS = [
  ["title", "Title"],
  ["slug", "Slug"],
  ["summary", "Summary"],
  ["body", "Body"],
  ["seo_title", "SEO title"],
  ["seo_description", "SEO description"],
];

/**
 * @typedef {object} Texts
 * @property {string} title
 * @property {string} slug
 * @property {string} summary
 * @property {string} body
 * @property {string} seo_title
 * @property {string} seo_description
 */

/** @type {Texts} */
export const EMPTY = { title: "", slug: "", summary: "", body: "", seo_title: "", seo_description: "" };

/**
 * The draft's texts; empty ones for a translation not written yet.
 * @param {Translation | null | undefined} translation
 * @returns {Texts}
 */
export function textsOf(translation) {
  if (!translation) return { ...EMPTY };
  const draft = translation.draft;
  return /** @type {Texts} */ (Object.fromEntries(TEXT_FIELDS.map(([name]) => [name, draft[name] ?? ""])));
}

/**
 * @param {Texts} a
 * @param {Texts} b
 */
export function same(a, b) {
  return TEXT_FIELDS.every(([name]) => (a[name] ?? "") === (b[name] ?? ""));
}

/**
 * "outdated", "scheduled", "not written"...
 * @param {Translation | null | undefined} translation
 */
export function statusWords(translation) {
  if (!translation) return "not written";
  if (translation.in_review) return "in review";
  if (translation.outdated) return "outdated";
  if (translation.schedules.length > 0) return "scheduled";
  return translation.status;
}
