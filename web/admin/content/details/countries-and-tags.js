// @ts-check
// An item's countries and tags, editable like its other details: countries within the
// editor's scope (none: EU-wide, for those who may), tags from those in use or new.

import { html, useEffect, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { updateItem } from "../../api/items.js";
import { listTags } from "../../api/tags.js";
import { Checkboxes, ErrorSummary, TextField } from "../../widgets/forms.js";
import { countryName } from "../../widgets/names.js";
import { ScheduledOnSave, schedulesChoice } from "./scheduled-on-save.js";

/** @typedef {import("../../kinds.js").Kind} Kind */
/** @typedef {import("../../api/items.js").Item} Item */
/** @typedef {import("../../api/items.js").ScheduleChoice} ScheduleChoice */
/** @typedef {import("../../api/tags.js").Tag} Tag */
/** @typedef {import("../../api/session.js").Me} Me */
/** @typedef {import("../../api/http.js").Problem} Problem */

/** @param {{ kind: Kind, item: Item, me: Me, onSaved: () => Promise<unknown> }} props */
export function CountriesAndTags({ kind, item, me, onSaved }) {
  const [countries, setCountries] = useState(item.countries);
  const [tags, setTags] = useState(item.tags);
  const [extra, setExtra] = useState("");
  const [inUse, setInUse] = useState(/** @type {Tag[]} */ ([]));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [saved, setSaved] = useState(false);
  const [keep, setKeep] = useState(/** @type {ScheduleChoice} */ ("keep"));
  useEffect(() => {
    setCountries(item.countries);
    setTags(item.tags);
    setExtra("");
  }, [item.etag]);
  useEffect(() => {
    listTags().then(setInUse).catch(() => setInUse([]));
  }, [item.id]);
  const editable = item.permissions.edit_fields;
  // The countries the editor may give, and those the item has already.
  const offered = [...new Set([...me.permissions.countries, ...item.countries])].sort();
  const tagOptions = [...new Set([...inUse.map((t) => t.tag), ...item.tags])].sort()
    .map((tag) => [tag, `${tag}${inUse.find((t) => t.tag === tag) ? ` (${inUse.find((t) => t.tag === tag).items})` : ""}`]);
  const save = async (event) => {
    event.preventDefault();
    setProblem(null);
    const typed = extra.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean);
    try {
      await updateItem(kind.path, item.id,
        { countries, tags: [...new Set([...tags, ...typed])], schedules: schedulesChoice(item, keep) }, item.etag);
      setSaved(true);
      await onSaved();
    } catch (error) {
      setProblem(error);
    }
  };
  const errors = problem?.fields || {};
  return html`
    <details class="neutral">
      <summary>Countries and tags</summary>
      <${ErrorSummary} problem=${problem} labels=${{ countries: "Countries", tags: "Tags" }} />
      <form onSubmit=${save} novalidate>
        <fieldset disabled=${!editable} class="plain">
          <legend class="visually-hidden">Countries and tags</legend>
          <${Checkboxes} name="countries" legend="Countries" error=${errors.countries}
            hint=${kind.path === "events" ? "Where the event takes place: one country." : "None ticked: EU-wide, shown on every site."}
            value=${countries} onChange=${(v) => { setSaved(false); setCountries(v); }}
            options=${offered.map((c) => [c, countryName(c)])} />
          ${tagOptions.length > 0 && html`<${Checkboxes} name="tags" legend="Tags" hint="Tags in use, with how many items carry each."
            value=${tags} onChange=${(v) => { setSaved(false); setTags(v); }} options=${tagOptions} error=${errors.tags} />`}
          <${TextField} name="new_tags" label="New tags" hint="Separated by commas: lower-case letters, digits and hyphens, e.g. social-clauses"
            value=${extra} onInput=${(v) => { setSaved(false); setExtra(v); }}
            error=${Object.entries(errors).find(([field]) => field.startsWith("tags["))?.[1]} />
        </fieldset>
        ${editable && html`<${ScheduledOnSave} item=${item} value=${keep} onChange=${setKeep} />`}
        ${editable && html`<div class="actions"><button type="submit" class="secondary">Save countries and tags</button>
          ${saved && html`<span class="saved-at" role="status">Countries and tags saved</span>`}</div>`}
      </form>
    </details>`;
}
