// @ts-check
// The inputs of a kind's details, as `kinds.js` lists them: the same for a new item
// and in the editor.

import { html, useEffect, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { listAssets } from "../../api/assets.js";
import { listItems } from "../../api/items.js";
import { Checkbox, Select, TextField } from "../../widgets/forms.js";
import { UploadZone } from "../../widgets/upload-zone.js";

/** @typedef {import("../../kinds.js").Kind} Kind */
/** @typedef {import("../../kinds.js").DetailField} DetailField */
/** @typedef {import("../../kinds.js").DetailsForm} DetailsForm */
/** @typedef {import("../../api/assets.js").Asset} Asset */
/** @typedef {import("../../api/items.js").ItemSummary} ItemSummary */

/**
 * A cover: one of the library's images, or one uploaded from here (nothing typed is lost).
 * @param {{ value: string, onChange: (id: string) => void, error?: string }} props
 */
function CoverInput({ value, onChange, error }) {
  const [images, setImages] = useState(/** @type {Asset[]} */ ([]));
  const [reload, setReload] = useState(0);
  useEffect(() => {
    listAssets({ type: "image/", per_page: 100 }).then((list) => setImages(list.items)).catch(() => setImages([]));
  }, [reload]);
  return html`<div class="field-group">
    <${Select} name="fields.cover_asset_id" label="Cover image" value=${value} onChange=${onChange} error=${error}
      hint="An image of the media library, or upload one below." options=${[["", "No cover"], ...images.map((i) => [i.id, i.title || i.file_name])]} />
    <${UploadZone} label="Or upload a cover image" accept="image/*"
      onUploaded=${(/** @type {Asset} */ asset) => { setReload((n) => n + 1); onChange(asset.id); }} />
  </div>`;
}

/**
 * The materials an event links to, chosen from the published and draft materials.
 * @param {{ value: string[], onChange: (ids: string[]) => void, error?: string }} props
 */
function MaterialsInput({ value, onChange, error }) {
  const [materials, setMaterials] = useState(/** @type {ItemSummary[]} */ ([]));
  useEffect(() => {
    listItems("materials", { per_page: 100 }).then((list) => setMaterials(list.items)).catch(() => setMaterials([]));
  }, []);
  /** @param {string} id @param {boolean} on */
  const toggle = (id, on) => onChange(on ? [...value, id] : value.filter((v) => v !== id));
  return html`<fieldset class=${`field${error ? " has-error" : ""}`}>
    <legend>Materials</legend>
    <p class="hint">Presentations and documents shown with the event, in the order chosen.</p>
    ${error && html`<p class="error-message">${error}</p>`}
    ${materials.length === 0 && html`<p>No materials yet.</p>`}
    ${materials.map((m) => html`<label class="checkbox"><input type="checkbox" checked=${value.includes(m.id)}
      onChange=${(/** @type {Event & { currentTarget: HTMLInputElement }} */ e) => toggle(m.id, e.currentTarget.checked)} /> ${m.translations[0]?.title || m.id}</label>`)}
  </fieldset>`;
}

/**
 * The time zone of an event: a choice among its country's zones when it has several.
 * @param {{ value: string, zones: string[], onChange: (zone: string) => void, error?: string }} props
 */
function TimeZoneInput({ value, zones, onChange, error }) {
  if (zones.length > 1) {
    const options = zones.includes(value) || !value ? zones : [value, ...zones];
    return html`<${Select} name="fields.time_zone" label="Time zone" value=${value} onChange=${onChange} error=${error}
      hint="The country has more than one: where does the event take place?"
      options=${options.map((zone) => [zone, zone.replace("_", " ")])} />`;
  }
  return html`<${TextField} name="fields.time_zone" label="Time zone" hint="Where the event takes place, e.g. Europe/Vilnius"
    value=${value} onInput=${onChange} error=${error} />`;
}

/**
 * Beside every time: the zone it is in.
 * @param {string} zone
 */
function zoneHint(zone) {
  return zone ? `${zone.replace("_", " ")} time.` : "In the event's time zone.";
}

/** The `type` of the text inputs, by how a field is asked. */
const TYPES = { text: "text", url: "url", date: "date", datetime: "datetime-local", number: "number", languages: "text" };

/**
 * One field's input.
 * @param {{ field: DetailField, form: DetailsForm, set: (name: string) => (value: any) => void, error?: string, zones: string[] }} props
 */
function FieldInput({ field, form, set, error, zones }) {
  const name = `fields.${field.name}`;
  const value = form[field.name];
  const onChange = set(field.name);
  switch (field.input) {
    case "cover":
      return html`<${CoverInput} value=${value} onChange=${onChange} error=${error} />`;
    case "materials":
      return html`<${MaterialsInput} value=${value} onChange=${onChange} error=${error} />`;
    case "zone":
      return html`<${TimeZoneInput} value=${value} zones=${zones} onChange=${onChange} error=${error} />`;
    case "choice":
      return html`<${Select} name=${name} label=${field.label} hint=${field.hint} value=${value} onChange=${onChange}
        options=${field.options} error=${error} />`;
    case "yes-no":
      return html`<${Checkbox} name=${name} label=${field.label} hint=${field.hint} value=${value} onChange=${onChange}
        error=${error} />`;
    default: {
      const hint = field.input === "datetime"
        ? [field.hint, zoneHint(form.time_zone)].filter(Boolean).join(" ")
        : field.hint;
      const min = field.input === "number" ? "1" : undefined;
      return html`<${TextField} name=${name} label=${field.label} hint=${hint} type=${TYPES[field.input]} min=${min}
        value=${value} onInput=${onChange} error=${error} />`;
    }
  }
}

/**
 * The inputs of a kind's details; `errors` by API field name (`fields.city`); `zones`
 * the time zones of an event's country.
 * @param {{ kind: Kind, form: DetailsForm, setForm: (form: DetailsForm) => void, errors?: Record<string, string>, zones?: string[] }} props
 */
export function FieldInputs({ kind, form, setForm, errors = {}, zones = [] }) {
  if (kind.rows.length === 0) return html`<p>Pages have no details besides their place in the navigation.</p>`;
  /** @param {string} name */
  const set = (name) => (/** @type {any} */ value) => setForm({ ...form, [name]: value });
  /** @param {DetailField} field */
  const input = (field) => html`<${FieldInput} field=${field} form=${form} set=${set} error=${errors[`fields.${field.name}`]} zones=${zones} />`;
  return kind.rows.map((row) => {
    const shown = row.filter((field) => !field.shownWhen || field.shownWhen(form));
    if (shown.length === 0) return null;
    return shown.length === 1 ? input(shown[0]) : html`<div class="inline-fields">${shown.map(input)}</div>`;
  });
}
