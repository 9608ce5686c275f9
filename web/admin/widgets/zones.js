// @ts-check
// Event times: the API wants an instant with the UTC offset of the event's place
// (`2024-05-23T09:30:00+03:00`) and its IANA zone; people type a local date and time.

/** The offset of `zone` at the instant `ms`, in minutes east of UTC. */
function offsetAt(ms, zone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(ms)).map((p) => [p.type, Number(p.value)]),
  );
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return Math.round((wall - ms) / 60000);
}

function pad(n) {
  return String(Math.abs(n)).padStart(2, "0");
}

/** `2024-05-23T09:30` in `Europe/Vilnius` → `2024-05-23T09:30:00+03:00`; null if invalid. */
export function toOffsetDateTime(local, zone) {
  if (!local || !zone) return null;
  const asUtc = Date.parse(`${local}:00Z`);
  if (Number.isNaN(asUtc)) return null;
  let offset;
  try {
    offset = offsetAt(asUtc, zone);
    offset = offsetAt(asUtc - offset * 60000, zone);
  } catch {
    return null;
  }
  const sign = offset < 0 ? "-" : "+";
  return `${local}:00${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

/** `2024-05-23T09:30:00+03:00` → `2024-05-23T09:30`, the wall time of the place. */
export function toLocalInput(value) {
  return value ? value.slice(0, 16) : "";
}

export function isZone(zone) {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
