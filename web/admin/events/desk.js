// @ts-check
// The organisers' event desk: their upcoming or past events with sign-ups against
// capacity (and per state), the status readers see, and whether sign-up (or the
// waitlist) is open.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { eventDesk } from "../api/registrations.js";
import { setSignUpNotices, userOf, whoAmI } from "../api/session.js";
import { ErrorSummary, Pager, Radios } from "../widgets/forms.js";
import { eventTime } from "../widgets/names.js";

/** @typedef {import("../api/registrations.js").DeskList} DeskList */
/** @typedef {import("../api/registrations.js").DeskEvent} DeskEvent */
/** @typedef {import("../api/http.js").Problem} Problem */

const STATUS_WORDS = { upcoming: "Upcoming", full: "Full", past: "Past", cancelled: "Cancelled" };
const STATUS_CSS = { upcoming: "live", full: "changed", past: "draft", cancelled: "missing" };

/** @param {DeskEvent} event */
function places(event) {
  return event.capacity == null ? `${event.registered} (no limit)` : `${event.registered} of ${event.capacity}`;
}

/**
 * The sign-ups per state, those there are, in words.
 * @param {DeskEvent} event
 */
function breakdown(event) {
  const { confirmed, pending, offered, waitlisted, cancelled, expired } = event.sign_ups;
  /** @type {[number, string][]} */
  const counts = [
    [confirmed, "confirmed"],
    [pending, "not confirmed yet"],
    [offered, "offered a place"],
    [waitlisted, "on the waitlist"],
    [cancelled, "cancelled"],
    [expired, expired === 1 ? "offer expired" : "offers expired"],
  ];
  return counts.filter(([count]) => count > 0).map(([count, words]) => `${count} ${words}`).join(" · ");
}

/** @param {DeskEvent} event */
function signUp(event) {
  if (event.registration_mode === "external") return "elsewhere (a link)";
  if (event.registration_mode !== "form") return "no sign-up";
  if (event.waitlist_open) return "waitlist open";
  return event.registration_open ? "open" : "closed";
}

/**
 * How the person hears about sign-ups by mail: saved as soon as it is chosen.
 */
function MailMe() {
  const [notices, setNotices] = useState(/** @type {string | null} */ (null));
  const [said, setSaid] = useState("");
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  useEffect(() => {
    whoAmI().then((me) => setNotices(userOf(me)?.sign_up_notices ?? null)).catch(setProblem);
  }, []);
  if (notices === null) return null;
  const choose = async (/** @type {string} */ value) => {
    setProblem(null);
    try {
      const user = await setSignUpNotices(/** @type {"none" | "each" | "daily"} */ (value));
      setNotices(user.sign_up_notices);
      setSaid("Saved.");
    } catch (error) {
      setProblem(error);
    }
  };
  return html`
    <${ErrorSummary} problem=${problem} />
    <${Radios} name="sign_up_notices" legend="Mail me about sign-ups to these events" value=${notices} onChange=${choose}
      options=${[["none", "Not by mail"], ["each", "On each sign-up"], ["daily", "A summary once a day", "Of the last 24 hours, in the morning, when there were any."]]} />
    ${said && html`<p role="status" class="hint">${said}</p>`}`;
}

export function EventDesk() {
  const when = new URLSearchParams(window.location.search).get("when") === "past" ? "past" : "upcoming";
  const [page, setPage] = useState(1);
  const [result, setResult] = useState(/** @type {DeskList | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  useEffect(() => {
    document.title = "Event desk – buysocial";
    setResult(null);
    eventDesk({ when, page, per_page: 50 }).then(setResult).catch(setProblem);
  }, [when, page]);

  return html`
    <h1>Event desk</h1>
    <p class="hint">Sign-ups for the events of your countries. Times are each event's own.</p>
    <${MailMe} />
    <nav class="tabs" aria-label="Which events">
      <a href="/admin/event-desk" aria-current=${when === "upcoming" ? "page" : undefined}>Upcoming events</a>
      <a href="/admin/event-desk?when=past" aria-current=${when === "past" ? "page" : undefined}>Past events</a>
    </nav>
    <${ErrorSummary} problem=${problem} />
    ${!result && !problem && html`<p role="status">Loading…</p>`}
    ${result && result.items.length === 0 && html`<p>No ${when} events. Events are created under <a href="/admin/events">Events</a>.</p>`}
    ${result && result.items.length > 0 && html`
      <table class="responsive">
        <caption class="visually-hidden">${when === "past" ? "Past" : "Upcoming"} events, ${result.page.total} in all</caption>
        <thead><tr><th scope="col">Event</th><th scope="col">When</th><th scope="col">Where</th>
          <th scope="col">Sign-ups</th><th scope="col">Readers see</th><th scope="col">Sign-up</th></tr></thead>
        <tbody>${result.items.map((event) => html`<tr>
          <td data-label="Event"><a href=${`/admin/event-desk/${event.id}`}>${event.title || "(untitled)"}</a>
            ${event.live_locales.length === 0 && html`<br /><span class="status draft">not published</span>`}</td>
          <td data-label="When">${eventTime(event.starts_at, event.ends_at, event.time_zone)}</td>
          <td data-label="Where">${event.online_url && !event.city ? "Online" : [event.venue, event.city].filter(Boolean).join(", ")} (${event.country})</td>
          <td data-label="Sign-ups">${places(event)}${breakdown(event) && html`<br /><span class="hint">${breakdown(event)}</span>`}</td>
          <td data-label="Readers see"><span class=${`status ${STATUS_CSS[event.status]}`}>${STATUS_WORDS[event.status]}</span></td>
          <td data-label="Sign-up">${signUp(event)}</td>
        </tr>`)}</tbody>
      </table>
      <${Pager} page=${page} of=${result.page} onPage=${setPage} />`}`;
}
