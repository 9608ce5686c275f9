// @ts-check
// The source beside a translation: its text read-only, what changed since the revision
// the translation follows highlighted field by field, and "Mark as up to date".

import { html, useEffect, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { markUpToDate, sourceChanges } from "../../api/translations.js";
import { Diff } from "../../widgets/diff.js";
import { when } from "../../widgets/forms.js";

/** @typedef {import("../../kinds.js").Kind} Kind */
/** @typedef {import("../../api/items.js").Item} Item */
/** @typedef {import("../../api/translations.js").SourceChanges} SourceChanges */
/** @typedef {import("../../api/http.js").Problem} Problem */

/** @type {[keyof Item["translations"][number]["draft"], string][]} */
const FIELDS = [
  ["title", "Title"],
  ["summary", "Summary"],
  ["body", "Body"],
  ["seo_title", "SEO title"],
  ["seo_description", "SEO description"],
];

/**
 * Loads the source's changes for `locale` and reports the newest source revision
 * (`onLatest`), which a save sends as `based_on`.
 * @param {{ kind: Kind, item: Item, locale: string, canWrite: boolean, onMarked: () => Promise<unknown>, onLatest: (revision: string | null) => void }} props
 */
export function SourcePanel({ kind, item, locale, canWrite, onMarked, onLatest }) {
  const [found, setFound] = useState(/** @type {SourceChanges | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const source = item.translations.find((t) => t.locale === item.source_locale);
  const translation = item.translations.find((t) => t.locale === locale);
  useEffect(() => {
    setFound(null);
    if (!translation) return;
    sourceChanges(kind.path, item.id, locale)
      .then((data) => {
        setFound(data);
        onLatest(data.latest_revision_id);
      })
      .catch(setProblem);
  }, [item.id, locale, translation?.base_revision_id, source?.etag]);

  const changed = Object.fromEntries((found?.changes || []).map((c) => [c.field, c]));
  const mark = async () => {
    try {
      await markUpToDate(kind.path, item.id, locale, found.latest_revision_id);
      await onMarked();
    } catch (error) {
      setProblem(error);
    }
  };
  return html`
    <section class="source" aria-labelledby="source-title">
      <h2 id="source-title">Source: ${item.source_locale.toUpperCase()}</h2>
      ${problem && html`<p class="error-message">${problem.message}</p>`}
      ${translation && found && found.changes.length > 0 && html`<div class="notice" role="status">
        <p><strong>Changed since this translation was written</strong>${found.based_at ? ` (${when(found.based_at)})` : ""}:
          inserted text is underlined, removed text struck through.</p>
        ${canWrite && html`<button type="button" class="secondary" onClick=${mark}>Mark as up to date</button>`}
      </div>`}
      ${translation && found && found.changes.length === 0 && html`<p class="notice success">This translation follows the source as it is now.</p>`}
      ${FIELDS.map(([name, label]) => html`<div class="source-field">
        <h3>${label}</h3>
        ${changed[name]
          ? html`<${Diff} before=${changed[name].before ?? ""} after=${changed[name].after ?? ""} />`
          : html`<div class="diff">${source?.draft[name] || html`<span class="hint">(empty)</span>`}</div>`}
      </div>`)}
    </section>`;
}
