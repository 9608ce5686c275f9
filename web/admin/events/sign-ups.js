// @ts-check
// One event's sign-ups with where each stands (not confirmed yet, confirmed, cancelled,
// on the waitlist in order, offered a place, offer expired):
// search, a CSV export, and erasing one person's data (their right to erasure),
// confirmed with what is erased and that the erasure is audited.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { getItem } from "../api/items.js";
import { downloadRegistrations, eraseRegistration, listRegistrations } from "../api/registrations.js";
import { ErrorSummary, Radios, TextField, when } from "../widgets/forms.js";
import { countryName, eventTime } from "../widgets/names.js";

/** @typedef {import("../api/items.js").Item} Item */
/** @typedef {import("../api/registrations.js").Registration} Registration */
/** @typedef {import("../api/registrations.js").Separator} Separator */
/** @typedef {import("../api/http.js").Problem} Problem */

const ORGANISATION_TYPES = { public_buyer: "Public buyer", social_economy_entity: "Social economy entity", other: "Other" };
const STATUS_WORDS = {
  pending: "Not confirmed yet", confirmed: "Confirmed", cancelled: "Cancelled",
  waitlisted: "On the waitlist", offered: "Offered a place", expired: "Offer expired",
};
const STATUS_CSS = { pending: "changed", confirmed: "live", cancelled: "draft", waitlisted: "changed", offered: "changed", expired: "draft" };

/**
 * Whether a sign-up holds one of the places now.
 * @param {Registration} person
 * @param {number} now
 */
function holdsPlace(person, now) {
  if (person.status === "confirmed") return true;
  const held = person.hold_until != null && Date.parse(person.hold_until) > now;
  return (person.status === "pending" || person.status === "offered") && held;
}

/**
 * The end of a hold: its time alone on the day of the sign-up, which it mostly is (a
 * hold lasts minutes), else its date too.
 * @param {string} end
 * @param {string} start
 */
function until(end, start) {
  const day = (/** @type {string} */ at) => new Date(at).toDateString();
  if (day(end) !== day(start)) return when(end);
  return new Date(end).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
}

/**
 * Where a sign-up stands, in words, and what that means for its place: an unconfirmed
 * one keeps a place only for a while.
 * @param {{ person: Registration, now: number }} props
 */
function Status({ person, now }) {
  return html`<${StatusWords} person=${person} now=${now} />${person.mail_failed && html`<br />
    <span class="error-message">Our mail could not be delivered: ${person.mail_failed.reason}</span>`}`;
}

/**
 * @param {{ person: Registration, now: number }} props
 */
function StatusWords({ person, now }) {
  const words = html`<span class=${`status ${STATUS_CSS[person.status]}`}>${STATUS_WORDS[person.status] || person.status}</span>`;
  if (person.status === "pending") {
    const holding = person.hold_until != null && Date.parse(person.hold_until) > now;
    return html`${words}<br /><span class="hint">${holding
      ? `Keeps a place until ${until(person.hold_until, person.created_at)}`
      : "Keeps no place until confirmed"}</span>`;
  }
  if (person.status === "cancelled" && person.cancelled_at) {
    return html`${words}<br /><span class="hint">${when(person.cancelled_at)}</span>`;
  }
  if (person.status === "waitlisted" && person.waitlist_position != null) {
    return html`${words}<br /><span class="hint">${person.waitlist_position === 1 ? "Next in line" : `Place ${person.waitlist_position} in line`}</span>`;
  }
  if (person.status === "offered" && person.hold_until != null) {
    return html`${words}<br /><span class="hint">Kept until ${when(person.hold_until)}</span>`;
  }
  return words;
}

/**
 * How many hold a place (of how many), and how many wait for one.
 * @param {Registration[]} people
 * @param {number | null | undefined} capacity
 * @param {number} now
 */
function placesTaken(people, capacity, now) {
  const holding = people.filter((p) => holdsPlace(p, now)).length;
  const waiting = people.filter((p) => p.status === "waitlisted").length;
  const taken = capacity != null ? `${holding} of ${capacity} places taken` : `${holding} ${holding === 1 ? "sign-up" : "sign-ups"}`;
  return waiting > 0 ? `${taken} · ${waiting} on the waitlist` : taken;
}

/**
 * @param {Registration} person
 * @param {string[]} words
 */
function matches(person, words) {
  const text = `${person.name} ${person.email} ${person.organisation}`.toLowerCase();
  return words.every((word) => text.includes(word));
}

/** @param {{ id: string }} props */
export function SignUps({ id }) {
  const [event, setEvent] = useState(/** @type {Item | null} */ (null));
  const [people, setPeople] = useState(/** @type {Registration[] | null} */ (null));
  const [q, setQ] = useState("");
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  // Excel separates columns with ";" where the decimal mark is a comma (Portugal,
  // Belgium, France...): the default follows the browser's language.
  const [separator, setSeparator] = useState(
    () => /** @type {Separator} */ (new Intl.NumberFormat(navigator.language).format(1.5).includes(",") ? "semicolon" : "comma"));
  const [notice, setNotice] = useState("");

  useEffect(() => {
    getItem("events", id).then((data) => {
      setEvent(data);
      document.title = `Sign-ups: ${data.translations[0]?.draft.title || "event"} – buysocial`;
    }).catch(setProblem);
    // Read once (and again only after an erasure): every read of personal data is
    // audited, so the search below filters what is already here instead of asking
    // again per keystroke.
    listRegistrations(id).then(setPeople).catch(setProblem);
  }, [id]);

  const exportCsv = async () => {
    setProblem(null);
    try {
      const name = await downloadRegistrations(id, separator);
      setNotice(`Saved as ${name}. It holds personal data: keep it only as long as the event needs it.`);
    } catch (error) {
      setProblem(error);
    }
  };
  const erase = async (person) => {
    const ok = window.confirm(
      `Erase the sign-up of ${person.name} (${person.email})?\n\n` +
      "Their name, email, organisation and country are deleted for good; this cannot be undone. " +
      "The audit log records that a sign-up was erased, and by you, but not whose it was.",
    );
    if (!ok) return;
    setProblem(null);
    try {
      await eraseRegistration(id, person.id);
      setPeople(people.filter((p) => p.id !== person.id));
      const erased = "The sign-up was erased. The audit log records the erasure, without the person's details.";
      setNotice(erased);
      // A place the person held goes to the first on the waitlist, and everyone behind
      // moves up: one more read (audited too) shows where each now stands.
      const fresh = await listRegistrations(id);
      setPeople(fresh);
      const offered = fresh.filter((p) => p.status === "offered" && !people.some((q) => q.id === p.id && q.status === "offered"));
      if (offered.length > 0) {
        setNotice(`${erased} Their place was offered by mail to ${offered.map((p) => p.name).join(", ")}, first on the waitlist.`);
      }
    } catch (error) {
      setProblem(error);
    }
  };

  const title = event ? event.translations.find((t) => t.locale === event.source_locale)?.draft.title || event.translations[0]?.draft.title : "";
  const words = q.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const shown = people ? people.filter((p) => matches(p, words)) : [];
  const capacity = event?.fields.capacity;
  const now = Date.now();
  return html`
    <p><a href="/admin/event-desk">Back to the event desk</a></p>
    <h1>Sign-ups${title ? `: ${title}` : ""}</h1>
    ${event && html`<p>${eventTime(event.fields.starts_at, event.fields.ends_at, event.fields.time_zone)}${" · "}
      ${[event.fields.venue, event.fields.city].filter(Boolean).join(", ") || "Online"}${" · "}
      <a href=${`/admin/events/${id}`}>Edit the event</a></p>`}
    ${notice && html`<div class="notice success" role="status">${notice}</div>`}
    <${ErrorSummary} problem=${problem} />
    ${!people && !problem && html`<p role="status">Loading…</p>`}
    ${people && html`
      <p class="counts">${placesTaken(people, capacity, now)}</p>
      <${Radios} name="separator" legend="Columns in the spreadsheet separated by" value=${separator} onChange=${setSeparator}
        options=${[["comma", "Commas (Excel in English)"], ["semicolon", "Semicolons (Excel in most of continental Europe)"]]} />
      <div class="actions"><button type="button" class="secondary" onClick=${exportCsv} disabled=${people.length === 0}>Download as CSV</button></div>
      <div class="filters" role="search" aria-label="Find sign-ups">
        <${TextField} name="q" label="Search sign-ups" type="search" hint="By name, email or organisation." value=${q} onInput=${setQ} />
      </div>
      ${people.length === 0 && html`<p>Nobody has signed up yet.</p>`}
      ${people.length > 0 && shown.length === 0 && html`<p role="status">Nobody matches “${q}”.</p>`}
      ${shown.length > 0 && html`<table class="responsive">
        <caption class="visually-hidden">Sign-ups${words.length ? `, ${shown.length} matching` : ""}</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Organisation</th>
          <th scope="col">Country</th><th scope="col">Signed up</th><th scope="col">Status</th>
          <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${shown.map((person) => html`<tr>
          <td data-label="Name">${person.name}</td>
          <td data-label="Email" class="long">${person.email}</td>
          <td data-label="Organisation">${person.organisation}<br /><span class="hint">${ORGANISATION_TYPES[person.organisation_type] || person.organisation_type}</span></td>
          <td data-label="Country">${countryName(person.country)}</td>
          <td data-label="Signed up">${when(person.created_at)}</td>
          <td data-label="Status"><${Status} person=${person} now=${now} /></td>
          <td><button type="button" class="warning" aria-label=${`Erase the sign-up of ${person.name}`}
            onClick=${() => erase(person)}>Erase</button></td>
        </tr>`)}</tbody>
      </table>`}`}`;
}
