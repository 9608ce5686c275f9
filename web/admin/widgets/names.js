// @ts-check
// The words people read for codes and numbers the API speaks: countries, languages,
// roles, event times and file sizes. Country and language names come from the browser (Intl.DisplayNames).

const regions = new Intl.DisplayNames(["en"], { type: "region" });
const languages = new Intl.DisplayNames(["en"], { type: "language" });

/** "Belgium (BE)". */
export function countryName(code) {
  try {
    return `${regions.of(code)} (${code})`;
  } catch {
    return code;
  }
}

/** "French". */
export function languageWord(code) {
  try {
    return languages.of(code) ?? code.toUpperCase();
  } catch {
    return code.toUpperCase();
  }
}

/** "French (FR)". */
export function languageName(code) {
  try {
    return `${languages.of(code)} (${code.toUpperCase()})`;
  } catch {
    return code.toUpperCase();
  }
}

export const ROLES = [
  ["admin", "Administrator", "everything: people, access, sites and all content"],
  ["editor", "Editor", "writes, publishes and deletes content in their scope; sees event sign-ups"],
  ["author", "Author", "writes drafts in their scope; cannot publish"],
  ["viewer", "Viewer", "reads everything, changes nothing"],
];

export function roleName(role) {
  return ROLES.find(([r]) => r === role)?.[1] || role;
}

/** "BE, NL" or "all countries". */
export function countriesText(countries) {
  return countries && countries.length ? countries.join(", ") : "all countries";
}

/** "FR, NL" or "all languages". */
export function localesText(locales) {
  return locales && locales.length ? locales.map((l) => l.toUpperCase()).join(", ") : "all languages";
}

/** "Thu 23 May 2099, 09:30–16:30 Vilnius time": an event's times in its own zone. */
export function eventTime(startsAt, endsAt, timeZone) {
  if (!startsAt) return "date to be announced";
  const zone = timeZone || "UTC";
  const day = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: zone });
  const hour = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: zone });
  const start = new Date(startsAt);
  const end = endsAt ? new Date(endsAt) : null;
  const sameDay = end && day.format(start) === day.format(end);
  const range = end
    ? sameDay ? `${day.format(start)}, ${hour.format(start)}–${hour.format(end)}`
      : `${day.format(start)}, ${hour.format(start)} – ${day.format(end)}, ${hour.format(end)}`
    : `${day.format(start)}, ${hour.format(start)}`;
  return `${range} ${zone.split("/").pop().replace(/_/g, " ")} time`;
}

/** "34 MB": a number of bytes as people read it. */
export function size(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
