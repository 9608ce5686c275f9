// The language-neutral details of an item, as a form fitting its kind, saved with
// If-Match on the item's version.

import { html, useEffect, useRef, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { get, patch, post } from "../api.js";
import { Checkboxes, ErrorSummary, Radios, Select, TextField } from "./forms.js";
import { toLocalInput, toOffsetDateTime } from "./zones.js";
import { UploadZone } from "./media.js";
import { differs, useLeaveWarning } from "../navigation.js";

export const MATERIAL_KINDS = [
  ["presentation", "Presentation"], ["report", "Report"], ["guide", "Guide"],
  ["handout", "Handout"], ["video", "Video"], ["other", "Other"],
];
export const REGISTRATION_MODES = [
  ["form", "Sign-up form on the site"], ["external", "Sign-up elsewhere (a link)"], ["closed", "No sign-up"],
];

/** The form values of an item's fields (strings, as inputs hold them). */
export function formOf(kind, fields = {}) {
  switch (kind.path) {
    case "news":
      return { date: fields.date ?? "", cover_asset_id: fields.cover_asset_id ?? "" };
    case "events":
      return {
        cover_asset_id: fields.cover_asset_id ?? "",
        materials: fields.materials ?? [],
        city: fields.city ?? "", venue: fields.venue ?? "", online_url: fields.online_url ?? "",
        starts_at: toLocalInput(fields.starts_at), ends_at: toLocalInput(fields.ends_at),
        // A new event takes its country's time zone (see `TimeZoneInput`).
        time_zone: fields.time_zone ?? "",
        capacity: fields.capacity == null ? "" : String(fields.capacity),
        registration_mode: fields.registration_mode ?? "form",
        registration_url: fields.registration_url ?? "",
        registration_opens_at: toLocalInput(fields.registration_opens_at),
        registration_closes_at: toLocalInput(fields.registration_closes_at),
        workshop_languages: (fields.workshop_languages ?? []).join(", "),
      };
    case "materials":
      return { material_kind: fields.material_kind ?? "presentation" };
    default:
      return {};
  }
}

/** The API's `fields` from form values; an empty optional field is cleared (null). */
export function fieldsOf(kind, form) {
  const text = (v) => (v.trim() === "" ? null : v.trim());
  switch (kind.path) {
    case "news":
      return { date: text(form.date), cover_asset_id: text(form.cover_asset_id) };
    case "events":
      return {
        cover_asset_id: text(form.cover_asset_id),
        materials: form.materials.length ? form.materials : null,
        city: text(form.city), venue: text(form.venue), online_url: text(form.online_url),
        starts_at: toOffsetDateTime(form.starts_at, form.time_zone),
        ends_at: toOffsetDateTime(form.ends_at, form.time_zone),
        time_zone: text(form.time_zone),
        capacity: form.capacity.trim() === "" ? null : Number(form.capacity),
        registration_mode: form.registration_mode,
        registration_url: text(form.registration_url),
        registration_opens_at: toOffsetDateTime(form.registration_opens_at, form.time_zone),
        registration_closes_at: toOffsetDateTime(form.registration_closes_at, form.time_zone),
        workshop_languages: form.workshop_languages
          .split(",")
          .map((l) => l.trim().toLowerCase())
          .filter(Boolean),
      };
    case "materials":
      return { material_kind: form.material_kind };
    default:
      return {};
  }
}

/** A cover: one of the library's images, or one uploaded from here (nothing typed is lost). */
function CoverInput({ value, onChange, error }) {
  const [images, setImages] = useState([]);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    get("/api/v1/admin/assets?type=image/&per_page=100").then(({ data }) => setImages(data.items)).catch(() => setImages([]));
  }, [reload]);
  return html`<div class="field-group">
    <${Select} name="fields.cover_asset_id" label="Cover image" value=${value} onChange=${onChange} error=${error}
      hint="An image of the media library, or upload one below." options=${[["", "No cover"], ...images.map((i) => [i.id, i.title || i.file_name])]} />
    <${UploadZone} label="Or upload a cover image" accept="image/*"
      onUploaded=${(asset) => { setReload((n) => n + 1); onChange(asset.id); }} />
  </div>`;
}

/** The materials an event links to, chosen from the published and draft materials. */
function MaterialsInput({ value, onChange, error }) {
  const [materials, setMaterials] = useState([]);
  useEffect(() => {
    get("/api/v1/admin/materials?per_page=100").then(({ data }) => setMaterials(data.items)).catch(() => setMaterials([]));
  }, []);
  const toggle = (id, on) => onChange(on ? [...value, id] : value.filter((v) => v !== id));
  return html`<fieldset class=${`field${error ? " has-error" : ""}`}>
    <legend>Materials</legend>
    <p class="hint">Presentations and documents shown with the event, in the order chosen.</p>
    ${error && html`<p class="error-message">${error}</p>`}
    ${materials.length === 0 && html`<p>No materials yet.</p>`}
    ${materials.map((m) => html`<label class="checkbox"><input type="checkbox" checked=${value.includes(m.id)}
      onChange=${(e) => toggle(m.id, e.currentTarget.checked)} /> ${m.translations[0]?.title || m.id}</label>`)}
  </fieldset>`;
}

/** The member states with their time zones and languages, read once from the API. */
let countriesOnce = null;
export function countryFacts() {
  countriesOnce ??= get("/api/v1/admin/countries").then(({ data }) => data).catch(() => {
    countriesOnce = null;
    return [];
  });
  return countriesOnce;
}

/** The time zone of an event: a choice among its country's zones when it has several. */
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

/** The inputs of a kind's fields; `errors` by API field name (`fields.city`); `zones`
 * the time zones of an event's country. */
export function FieldInputs({ kind, form, setForm, errors = {}, zones = [] }) {
  const set = (name) => (value) => setForm({ ...form, [name]: value });
  const err = (name) => errors[`fields.${name}`];
  switch (kind.path) {
    case "news":
      return html`<${TextField} name="fields.date" label="Date" type="date" value=${form.date} onInput=${set("date")} error=${err("date")} />
        <${CoverInput} value=${form.cover_asset_id} onChange=${set("cover_asset_id")} error=${err("cover_asset_id")} />`;
    case "events":
      return html`
        <div class="inline-fields">
          <${TextField} name="fields.starts_at" label="Starts" type="datetime-local" hint=${zoneHint(form.time_zone)} value=${form.starts_at} onInput=${set("starts_at")} error=${err("starts_at")} />
          <${TextField} name="fields.ends_at" label="Ends" type="datetime-local" hint=${zoneHint(form.time_zone)} value=${form.ends_at} onInput=${set("ends_at")} error=${err("ends_at")} />
          <${TimeZoneInput} value=${form.time_zone} zones=${zones} onChange=${set("time_zone")} error=${err("time_zone")} />
        </div>
        <div class="inline-fields">
          <${TextField} name="fields.city" label="City" value=${form.city} onInput=${set("city")} error=${err("city")} />
          <${TextField} name="fields.venue" label="Venue" value=${form.venue} onInput=${set("venue")} error=${err("venue")} />
        </div>
        <${TextField} name="fields.online_url" label="Online link" hint="For an online event, instead of a city" type="url" value=${form.online_url} onInput=${set("online_url")} error=${err("online_url")} />
        <div class="inline-fields">
          <${TextField} name="fields.capacity" label="Places" hint="Empty: no limit" type="number" min="1" value=${form.capacity} onInput=${set("capacity")} error=${err("capacity")} />
          <${Select} name="fields.registration_mode" label="Sign-up" value=${form.registration_mode} onChange=${set("registration_mode")} options=${REGISTRATION_MODES} error=${err("registration_mode")} />
        </div>
        ${form.registration_mode === "external" && html`<${TextField} name="fields.registration_url" label="Sign-up link" type="url" value=${form.registration_url} onInput=${set("registration_url")} error=${err("registration_url")} />`}
        <div class="inline-fields">
          <${TextField} name="fields.registration_opens_at" label="Sign-up opens" hint=${`Empty: open now. ${zoneHint(form.time_zone)}`} type="datetime-local" value=${form.registration_opens_at} onInput=${set("registration_opens_at")} error=${err("registration_opens_at")} />
          <${TextField} name="fields.registration_closes_at" label="Sign-up closes" hint=${`Empty: at the start. ${zoneHint(form.time_zone)}`} type="datetime-local" value=${form.registration_closes_at} onInput=${set("registration_closes_at")} error=${err("registration_closes_at")} />
        </div>
        <${TextField} name="fields.workshop_languages" label="Workshop languages" hint="Language codes, separated by commas, e.g. fr, nl" value=${form.workshop_languages} onInput=${set("workshop_languages")} error=${err("workshop_languages")} />
        <${CoverInput} value=${form.cover_asset_id} onChange=${set("cover_asset_id")} error=${err("cover_asset_id")} />
        <${MaterialsInput} value=${form.materials} onChange=${set("materials")} error=${err("materials")} />`;
    case "materials":
      return html`<${Select} name="fields.material_kind" label="Kind of material" value=${form.material_kind} onChange=${set("material_kind")} options=${MATERIAL_KINDS} error=${err("material_kind")} />`;
    default:
      return html`<p>Pages have no details besides their place in the navigation.</p>`;
  }
}

/** The languages whose publication is scheduled, and whether the caller may keep them. */
function scheduledLanguages(item) {
  const scheduled = item.translations.filter((t) => t.schedules.some((s) => s.action === "publish")).map((t) => t.locale);
  return { scheduled, canKeep: scheduled.every((l) => item.permissions.publish_locales.includes(l)) };
}

/** What a save of the details sends as `schedules`: nothing when nothing is scheduled. */
export function schedulesChoice(item, chosen) {
  const { scheduled, canKeep } = scheduledLanguages(item);
  if (scheduled.length === 0) return undefined;
  return canKeep ? chosen : "cancel";
}

/**
 * Before saving details of an item whose publication is scheduled: a scheduled
 * publication publishes the details it was scheduled with, so the person chooses.
 */
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

/** Beside every time: the zone it is in. */
function zoneHint(zone) {
  return zone ? `${zone.replace("_", " ")} time.` : "In the event's time zone.";
}

export function NeutralFields({ kind, item, onSaved }) {
  const [form, setForm] = useState(() => formOf(kind, item.fields));
  const [zones, setZones] = useState([]);
  const [schedules, setSchedules] = useState("keep");
  useEffect(() => {
    if (kind.path !== "events") return;
    countryFacts().then((all) => setZones(all.find((c) => c.code === item.countries[0])?.time_zones ?? []));
  }, [item.id]);
  const [problem, setProblem] = useState(null);
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
  const detailsName = kind.path === "events" ? "event details" : kind.path === "news" ? "news details" : "material details";
  useLeaveWarning(kind.path !== "pages" && differs(form, lastSaved ?? formOf(kind, item.fields)),
    `The ${detailsName} have unsaved changes. Leave without saving them?`);
  if (kind.path === "pages") return html`<${PlaceInTree} item=${item} onSaved=${onSaved} />`;
  const editable = item.permissions.edit_fields;
  const save = async (event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await patch(`/api/v1/admin/${kind.path}/${item.id}`,
        { fields: fieldsOf(kind, form), schedules: schedulesChoice(item, schedules) }, { ifMatch: item.etag });
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
  const summary = kind.path === "events" ? "Event details" : kind.path === "news" ? "News details" : "Material details";
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
function DetailsToReaders({ kind, item, onPublished }) {
  const outdated = item.translations.filter((t) => t.live?.details_outdated).map((t) => t.locale);
  const publishable = outdated.filter((l) => item.permissions.publish_locales.includes(l));
  const [chosen, setChosen] = useState(publishable);
  const [problem, setProblem] = useState(null);
  const [done, setDone] = useState("");
  useEffect(() => setChosen(publishable), [item.etag, outdated.join()]);
  if (outdated.length === 0) return done ? html`<p class="saved-at" role="status">${done}</p>` : null;
  const publish = async (event) => {
    event.preventDefault();
    setProblem(null);
    try {
      await post(`/api/v1/admin/${kind.path}/${item.id}/publish-details`, { locales: chosen }, { ifMatch: item.etag });
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

/** A page's parent and its position among its siblings. */
function PlaceInTree({ item, onSaved }) {
  const [pages, setPages] = useState([]);
  const [parent, setParent] = useState(item.parent_id ?? "");
  const [position, setPosition] = useState(String(item.position));
  const [problem, setProblem] = useState(null);
  const [saved, setSaved] = useState(false);
  const [keep, setKeep] = useState("keep");
  useEffect(() => {
    get("/api/v1/admin/pages?per_page=100").then(({ data }) => setPages(data.items.filter((p) => p.id !== item.id))).catch(() => setPages([]));
  }, [item.id]);
  const [lastSaved, setLastSaved] = useState(null);
  useEffect(() => {
    setLastSaved(null);
    setParent(item.parent_id ?? "");
    setPosition(String(item.position));
  }, [item.etag]);
  useLeaveWarning(differs({ parent, position }, lastSaved ?? { parent: item.parent_id ?? "", position: String(item.position) }),
    "The page's place in the navigation has unsaved changes. Leave without saving them?");
  const save = async (event) => {
    event.preventDefault();
    setProblem(null);
    try {
      await patch(`/api/v1/admin/pages/${item.id}`, { parent_id: parent || null, position: Number(position),
        schedules: schedulesChoice(item, keep) }, { ifMatch: item.etag });
      setLastSaved({ parent, position });
      setSaved(true);
      await onSaved();
    } catch (error) {
      setProblem(error);
    }
  };
  return html`
    <details class="neutral">
      <summary>Place in the navigation</summary>
      <${ErrorSummary} problem=${problem} labels=${{ parent_id: "Parent page", position: "Position" }} />
      <form onSubmit=${save} novalidate>
        <fieldset disabled=${!item.permissions.edit_fields} class="plain">
          <legend class="visually-hidden">Place in the navigation</legend>
          <${Select} name="parent_id" label="Parent page" value=${parent} onChange=${(v) => { setSaved(false); setParent(v); }}
            error=${problem?.fields?.parent_id} options=${[["", "None: a top-level page"], ...pages.map((p) => [p.id, p.translations[0]?.title || p.id])]} />
          <${TextField} name="position" label="Position" hint="Pages are shown in increasing position among their siblings." type="number"
            value=${position} onInput=${(v) => { setSaved(false); setPosition(v); }} error=${problem?.fields?.position} />
        </fieldset>
        ${item.permissions.edit_fields && html`<${ScheduledOnSave} item=${item} value=${keep} onChange=${setKeep} />`}
        ${item.permissions.edit_fields && html`<div class="actions"><button type="submit" class="secondary">Save place</button>
          ${saved && html`<span class="saved-at" role="status">Place saved</span>`}</div>`}
      </form>
    </details>`;
}
