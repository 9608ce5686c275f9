// @ts-check
// The language-neutral details of an item, as a form fitting its kind (kinds.js),
// saved with If-Match on the item's version; and bringing new details live for the
// languages whose readers still see the earlier ones.

import { html, useEffect, useRef, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { countryFacts } from "../../api/countries.js";
import { publishDetails, updateItem } from "../../api/items.js";
import { fieldsOf, formOf } from "../../kinds.js";
import { differs, useLeaveWarning } from "../../navigation.js";
import { Checkboxes, ErrorSummary } from "../../widgets/forms.js";
import { FieldInputs } from "./field-inputs.js";
import { ScheduledOnSave, schedulesChoice } from "./scheduled-on-save.js";

/** @typedef {import("../../kinds.js").Kind} Kind */
/** @typedef {import("../../api/items.js").Item} Item */
/** @typedef {import("../../api/items.js").ScheduleChoice} ScheduleChoice */
/** @typedef {import("../../api/http.js").Problem} Problem */

/**
 * The details of an item of a kind that has them (pages have a place instead).
 * @param {{ kind: Kind, item: Item, onSaved: () => Promise<unknown> }} props
 */
export function NeutralFields({ kind, item, onSaved }) {
  const [form, setForm] = useState(() => formOf(kind, item.fields));
  const [zones, setZones] = useState(/** @type {string[]} */ ([]));
  const [schedules, setSchedules] = useState(/** @type {ScheduleChoice} */ ("keep"));
  useEffect(() => {
    if (kind.path !== "events") return;
    countryFacts().then((all) => setZones(all.find((c) => c.code === item.countries[0])?.time_zones ?? []));
  }, [item.id]);
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  // After a 412 the item is reloaded for its new version, but the typed values stay.
  const keep = useRef(false);
  // What was saved last: unsaved means different from it (or from the item as read),
  // also while the item is being read again after the save.
  const [lastSaved, setLastSaved] = useState(null);
  useEffect(() => {
    setLastSaved(null);
    if (keep.current) keep.current = false;
    else setForm(formOf(kind, item.fields));
  }, [item.etag]);
  const summary = kind.details;
  useLeaveWarning(differs(form, lastSaved ?? formOf(kind, item.fields)),
    `The ${summary.toLowerCase()} have unsaved changes. Leave without saving them?`);
  const editable = item.permissions.edit_fields;
  const save = async (event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await updateItem(kind.path, item.id, { fields: fieldsOf(kind, form), schedules: schedulesChoice(item, schedules) }, item.etag);
      setLastSaved(form);
      setSaved(true);
      await onSaved();
    } catch (error) {
      if (error.status === 412) {
        error.message = "Someone else changed these details meanwhile. Your values are still in the form: check them against the item and save again.";
        keep.current = true;
        await onSaved();
      }
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <details class="neutral" open=${kind.path === "events"}>
      <summary>${summary}</summary>
      <${ErrorSummary} problem=${problem} />
      <form onSubmit=${save} novalidate>
        <fieldset disabled=${!editable} class="plain">
          <legend class="visually-hidden">${summary}</legend>
          <${FieldInputs} kind=${kind} form=${form} zones=${zones} setForm=${(f) => { setSaved(false); setForm(f); }} errors=${problem?.fields} />
        </fieldset>
        ${editable && html`<${ScheduledOnSave} item=${item} value=${schedules} onChange=${setSchedules} />`}
        ${editable && html`<div class="actions"><button type="submit" class="secondary" disabled=${busy}>Save details</button>
          ${saved && html`<span class="saved-at" role="status">Details saved</span>`}</div>`}
      </form>
      <${DetailsToReaders} kind=${kind} item=${item} onPublished=${onSaved} />
    </details>`;
}

/**
 * Which live languages still show readers the earlier details, and a publish of the
 * details alone for them: each keeps its live text, so no unfinished draft goes live.
 */
/** @param {{ kind: Kind, item: Item, onPublished: () => Promise<unknown> }} props */
function DetailsToReaders({ kind, item, onPublished }) {
  const outdated = item.translations.filter((t) => t.live?.details_outdated).map((t) => t.locale);
  const publishable = outdated.filter((l) => item.permissions.publish_locales.includes(l));
  const [chosen, setChosen] = useState(publishable);
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [done, setDone] = useState("");
  useEffect(() => setChosen(publishable), [item.etag, outdated.join()]);
  if (outdated.length === 0) return done ? html`<p class="saved-at" role="status">${done}</p>` : null;
  const publish = async (event) => {
    event.preventDefault();
    setProblem(null);
    try {
      await publishDetails(kind.path, item.id, chosen, item.etag);
      setDone(`Readers in ${chosen.map((l) => l.toUpperCase()).join(", ")} now see the new details.`);
      await onPublished();
    } catch (error) {
      setProblem(error);
    }
  };
  const names = outdated.map((l) => l.toUpperCase()).join(", ");
  return html`<section class="notice" aria-labelledby="details-to-readers">
    <h3 id="details-to-readers">Readers still see the earlier details in ${names}</h3>
    <${ErrorSummary} problem=${problem} />
    ${publishable.length === 0
      ? html`<p>An editor who may publish those languages can bring the new details live.</p>`
      : html`<form onSubmit=${publish} novalidate>
        <${Checkboxes} name="details_locales" legend="Bring the new details live for"
          hint="Each language keeps its live text: drafts are not published."
          value=${chosen} onChange=${setChosen} options=${publishable.map((l) => [l, l.toUpperCase()])} />
        <div class="actions"><button type="submit" class="secondary" disabled=${chosen.length === 0}>Publish the new details</button></div>
      </form>`}
  </section>`;
}
