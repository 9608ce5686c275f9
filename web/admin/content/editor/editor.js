// @ts-check
// One item: its language-neutral details, its countries and tags, one tab per
// translation, and the translation shown (translation.js). What is typed is kept in
// this browser until it is saved (draft-texts.js), so a reload or an expired session
// loses nothing.

import { html, useEffect, useRef, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { getItem, restoreItem, trashItem } from "../../api/items.js";
import { navigate } from "../../navigation.js";
import { ErrorSummary, when } from "../../widgets/forms.js";
import { CountriesAndTags } from "../details/countries-and-tags.js";
import { NeutralFields } from "../details/details.js";
import { PlaceInTree } from "../details/place-in-tree.js";
import { useDraftTexts } from "./draft-texts.js";
import { Tabs } from "./tabs.js";
import { TranslationPanel } from "./translation.js";

/** @typedef {import("../../kinds.js").Kind} Kind */
/** @typedef {import("../../api/items.js").Item} Item */
/** @typedef {import("../../api/session.js").Me} Me */
/** @typedef {import("../../api/http.js").Problem} Problem */

/**
 * The item `id`, read again by `reload` (after a change); null until it is read.
 * @param {Kind} kind
 * @param {string} id
 */
function useItem(kind, id) {
  const [item, setItem] = useState(/** @type {Item | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const currentId = useRef(id);
  /** @returns {Promise<Item | null>} */
  const reload = async () => {
    const asked = id;
    try {
      const data = await getItem(kind.path, id);
      // A reply for an item no longer open is dropped.
      if (asked !== currentId.current) return null;
      setItem(data);
      setProblem(null);
      return data;
    } catch (error) {
      if (asked === currentId.current) setProblem(error);
      return null;
    }
  };
  useEffect(() => {
    currentId.current = id;
    setItem(null);
    reload();
  }, [kind, id]);
  return { item, problem, reload };
}

/** @param {{ kind: Kind, id: string, me: Me }} props */
export function ItemEditor({ kind, id, me }) {
  const locale = new URLSearchParams(window.location.search).get("locale");
  const { item, problem: loadProblem, reload } = useItem(kind, id);
  // Moving to the trash and back: refused, it says why here.
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const active = item && (locale || item.source_locale);
  const draft = useDraftTexts({ kind, item, me, locale: active });

  if (loadProblem) {
    return html`<h1>This ${kind.one} could not be opened</h1><p>${loadProblem.message}</p>
      <p><a href=${`/admin/${kind.path}`}>Back to the ${kind.label.toLowerCase()}</a></p>`;
  }
  if (!item) return html`<p role="status">Loading…</p>`;

  const toTrash = async () => {
    const live = item.translations.some((t) => t.live);
    const consequence = live ? " Readers will no longer see any of its translations." : "";
    if (!window.confirm(`Move this ${kind.one} to the trash?${consequence} An administrator can restore it.`)) return;
    try {
      await trashItem(kind.path, id, item.etag);
      navigate(`/admin/${kind.path}`, { asking: false });
    } catch (error) {
      setProblem(error);
    }
  };
  const fromTrash = async () => {
    try {
      await restoreItem(kind.path, id);
      await reload();
    } catch (error) {
      setProblem(error);
    }
  };

  const permissions = item.permissions;
  return html`
    <p><a href=${`/admin/${kind.path}`}>Back to the ${kind.label.toLowerCase()}</a></p>
    <h1 tabindex="-1">${draft.server.title || draft.texts.title || `New ${kind.one}`} <span class="hint">(${kind.one})</span></h1>
    <p>${item.countries.length ? `Countries: ${item.countries.join(", ")}` : "EU-wide"}</p>
    ${item.deleted_at && html`<div class="notice" role="status">This ${kind.one} is in the trash since ${when(item.deleted_at)}.
      ${permissions.trash && html` <button type="button" class="secondary" onClick=${fromTrash}>Restore from the trash</button>`}</div>`}
    <${ErrorSummary} problem=${problem} />
    <div class="actions">
      <a class="button secondary" href=${`/admin/${kind.path}/${id}/history`}>History</a>
      ${!item.deleted_at && permissions.trash && html`<button type="button" class="warning" onClick=${toTrash}>Move to the trash</button>`}
    </div>
    ${kind.details
      ? html`<${NeutralFields} kind=${kind} item=${item} onSaved=${reload} />`
      : html`<${PlaceInTree} item=${item} onSaved=${reload} />`}
    <${CountriesAndTags} kind=${kind} item=${item} me=${me} onSaved=${reload} />
    <${Tabs} kind=${kind} item=${item} locale=${active} permissions=${permissions} />
    <${TranslationPanel} kind=${kind} item=${item} locale=${active} draft=${draft} reload=${reload} />`;
}
