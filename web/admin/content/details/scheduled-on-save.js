// @ts-check
// A scheduled publication publishes the details it was scheduled with: a save of an
// item's details (or countries, tags, place) says what happens to it, and only someone
// who may publish those languages can keep it.

import { html } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { Radios } from "../../widgets/forms.js";

/** @typedef {import("../../api/items.js").Item} Item */
/** @typedef {import("../../api/items.js").ScheduleChoice} ScheduleChoice */

/**
 * The languages whose publication is scheduled, and whether the caller may keep them.
 * @param {Item} item
 */
function scheduledLanguages(item) {
  const scheduled = item.translations.filter((t) => t.schedules.some((s) => s.action === "publish")).map((t) => t.locale);
  return { scheduled, canKeep: scheduled.every((l) => item.permissions.publish_locales.includes(l)) };
}

/**
 * What a save of the details sends as `schedules`: nothing when nothing is scheduled.
 * @param {Item} item
 * @param {ScheduleChoice} chosen
 * @returns {ScheduleChoice | undefined}
 */
export function schedulesChoice(item, chosen) {
  const { scheduled, canKeep } = scheduledLanguages(item);
  if (scheduled.length === 0) return undefined;
  return canKeep ? chosen : "cancel";
}

/**
 * Before saving details of an item whose publication is scheduled: a scheduled
 * publication publishes the details it was scheduled with, so the person chooses.
 */
/** @param {{ item: Item, value: ScheduleChoice, onChange: (choice: ScheduleChoice) => void }} props */
export function ScheduledOnSave({ item, value, onChange }) {
  const { scheduled, canKeep } = scheduledLanguages(item);
  if (scheduled.length === 0) return null;
  const names = scheduled.map((l) => l.toUpperCase()).join(", ");
  const options = canKeep
    ? [["keep", "Publish these details with them"], ["cancel", "Cancel the scheduled publishing"]]
    : [["cancel", "Cancel the scheduled publishing (an editor schedules it again)"]];
  return html`<${Radios} name=${`schedules-${item.id}`} legend=${`Publishing of ${names} is scheduled. When you save:`}
    value=${canKeep ? value : "cancel"} onChange=${onChange} options=${options} />`;
}
