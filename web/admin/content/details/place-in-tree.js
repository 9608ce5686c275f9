// @ts-check
// A page's place in the navigation: its parent and position, saved with If-Match on
// the item's version.

import { html, useEffect, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { listItems, updateItem } from "../../api/items.js";
import { differs, useLeaveWarning } from "../../navigation.js";
import { ErrorSummary, Select, TextField } from "../../widgets/forms.js";
import { ScheduledOnSave, schedulesChoice } from "./scheduled-on-save.js";

/** @typedef {import("../../api/items.js").Item} Item */
/** @typedef {import("../../api/items.js").ItemSummary} ItemSummary */
/** @typedef {import("../../api/items.js").ScheduleChoice} ScheduleChoice */

/**
 * A page's parent and its position among its siblings.
 * @param {{ item: Item, onSaved: () => Promise<unknown> }} props
 */
export function PlaceInTree({ item, onSaved }) {
  const [pages, setPages] = useState(/** @type {ItemSummary[]} */ ([]));
  const [parent, setParent] = useState(item.parent_id ?? "");
  const [position, setPosition] = useState(String(item.position));
  const [problem, setProblem] = useState(null);
  const [saved, setSaved] = useState(false);
  const [keep, setKeep] = useState(/** @type {ScheduleChoice} */ ("keep"));
  useEffect(() => {
    listItems("pages", { per_page: 100 }).then((list) => setPages(list.items.filter((p) => p.id !== item.id))).catch(() => setPages([]));
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
      await updateItem("pages", item.id, { parent_id: parent || null, position: Number(position),
        schedules: schedulesChoice(item, keep) }, item.etag);
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
