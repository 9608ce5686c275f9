// The four kinds of content as the app names them, in one place for every screen.

/** The kinds of content: the address part, the API's `kind` name, and the words. */
export const KINDS = [
  { path: "pages", kind: "page", label: "Pages", one: "page" },
  { path: "news", kind: "news", label: "News", one: "news item" },
  { path: "events", kind: "event", label: "Events", one: "event" },
  { path: "materials", kind: "material", label: "Materials", one: "material" },
];

/** The address part of a kind the API names (`event` → `events`). */
export function pathOf(kind) {
  return KINDS.find((k) => k.kind === kind)?.path || kind;
}
