// @ts-check
// Publishing or unpublishing a translation later: the pending schedule (cancel, a new
// time), a new schedule, and what a save does to a scheduled publication.

import { html, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { Radios, Select, TextField, when } from "../../widgets/forms.js";

/** @typedef {import("../../api/items.js").Translation} Translation */
/** @typedef {Translation["schedules"][number]} PendingScheduleValue */
/** @typedef {import("../../api/items.js").ScheduleChoice} ScheduleChoice */

/** A pending schedule, with Cancel and a new time for whoever may publish. */
/** @param {{ schedule: PendingScheduleValue, canChange: boolean, disabled: boolean, onCancel: () => void, onMove: (at: string) => void }} props */
export function PendingSchedule({ schedule, canChange, disabled, onCancel, onMove }) {
  const [at, setAt] = useState("");
  const words = schedule.action === "publish" ? "Publishing" : "Unpublishing";
  return html`<div class="notice" role="group" aria-label="Scheduled">
    <p>${words} is scheduled for ${when(schedule.at)}.</p>
    ${canChange && html`<form class="inline-fields" onSubmit=${(e) => {
      e.preventDefault();
      if (at) onMove(new Date(at).toISOString());
    }}>
      <${TextField} name="reschedule_at" label="New time" type="datetime-local" step="1"
        hint=${`Your time (${Intl.DateTimeFormat().resolvedOptions().timeZone})`} value=${at} onInput=${setAt} />
      <div class="field"><button type="submit" class="secondary" disabled=${disabled || !at}>Reschedule</button></div>
      <div class="field"><button type="button" class="warning" disabled=${disabled}
        onClick=${() => window.confirm(`Cancel the scheduled ${words.toLowerCase()}?`) && onCancel()}>Cancel the schedule</button></div>
    </form>`}
  </div>`;
}

/** Before saving a scheduled translation: what happens to its scheduled publication. */
/** @param {{ schedule: PendingScheduleValue, canPublish: boolean, value: ScheduleChoice, onChange: (choice: ScheduleChoice) => void }} props */
export function ScheduleOnSave({ schedule, canPublish, value, onChange }) {
  const options = canPublish
    ? [["keep", `Publish this new version at ${when(schedule.at)}`], ["cancel", "Cancel the scheduled publishing"]]
    : [["cancel", "Cancel the scheduled publishing (an editor schedules it again after review)"]];
  return html`<${Radios} name="schedule_on_save" legend=${`Publishing is scheduled for ${when(schedule.at)}. When you save:`}
    value=${value} onChange=${onChange} options=${options} />`;
}

/**
 * A new schedule: publish (or, for a live translation, unpublish) at a time.
 * @param {{ onSchedule: (action: "publish" | "unpublish", at: string) => void, disabled: boolean, locale: string, live: boolean }} props
 */
export function Schedule({ onSchedule, disabled, locale, live }) {
  const [at, setAt] = useState("");
  const [action, setAction] = useState(/** @type {"publish" | "unpublish"} */ ("publish"));
  const words = action === "publish" ? "publishing" : "unpublishing";
  return html`
    <form class="inline-fields" onSubmit=${(e) => {
      e.preventDefault();
      if (at) onSchedule(action, new Date(at).toISOString());
    }}>
      ${live && html`<${Select} name="schedule_action" label="What to schedule" value=${action} onChange=${setAction}
        options=${[["publish", `Publish ${locale.toUpperCase()}`], ["unpublish", `Unpublish ${locale.toUpperCase()}`]]} />`}
      <${TextField} name="schedule_at" label=${`${action === "publish" ? "Publish" : "Unpublish"} ${locale.toUpperCase()} at`} type="datetime-local" step="1"
        hint=${`Your time (${Intl.DateTimeFormat().resolvedOptions().timeZone})`} value=${at} onInput=${setAt} />
      <div class="field"><button type="submit" class="secondary" disabled=${disabled || !at}>Schedule ${words}</button></div>
    </form>`;
}
