// @ts-check
// What a site's readers would see of one item, with the settings as they stand in the
// form (nothing saved): for each of its languages, the languages tried and the live
// translation they land on.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { listItems } from "../api/items.js";
import { previewSite } from "../api/sites.js";
import { KINDS, kindAt } from "../kinds.js";
import { ErrorSummary, Select, TextField } from "../widgets/forms.js";
import { languageName } from "../widgets/names.js";

/** @typedef {import("../api/items.js").KindPath} KindPath */
/** @typedef {import("../api/items.js").ItemSummary} ItemSummary */
/** @typedef {Omit<import("../api/sites.js").NewSite, "code">} SiteSettings */
/** @typedef {import("../api/sites.js").SitePreview} SitePreviewResult */
/** @typedef {import("../api/http.js").Problem} Problem */

/** @param {{ settings: SiteSettings }} props */
export function SitePreview({ settings }) {
  const [kind, setKind] = useState(/** @type {KindPath} */ ("news"));
  const [q, setQ] = useState("");
  const [items, setItems] = useState(/** @type {ItemSummary[]} */ ([]));
  const [item, setItem] = useState("");
  const [result, setResult] = useState(/** @type {SitePreviewResult | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));

  const find = (search = "") => {
    listItems(kind, { per_page: 50, q: search }).then((data) => {
      setItems(data.items);
      setItem(data.items[0]?.id || "");
    }).catch(setProblem);
  };
  useEffect(() => find(), [kind]);

  const show = async (event) => {
    event.preventDefault();
    setProblem(null);
    try {
      const { countries, locales, default_locale, fallback } = settings;
      setResult(await previewSite({ countries, locales, default_locale, fallback, kind: kindAt(kind).kind, id: item }));
    } catch (error) {
      setResult(null);
      setProblem(error);
    }
  };
  const title = (i) => i.translations[0]?.title || "(untitled)";
  return html`
    <section aria-labelledby="site-preview-title">
      <h2 id="site-preview-title">What readers would see</h2>
      <p class="hint">Try the settings above on one item before saving them. Only live translations count.</p>
      <form onSubmit=${show} novalidate>
        <div class="inline-fields">
          <${Select} name="preview-kind" label="Kind" value=${kind} onChange=${setKind}
            options=${KINDS.map((k) => [k.path, k.label])} />
          <${TextField} name="preview-q" label="Find an item" type="search" value=${q} onInput=${setQ} />
          <div class="field"><button type="button" class="secondary" onClick=${() => find(q.trim())}>Find</button></div>
        </div>
        <${Select} name="preview-item" label="Item" value=${item} onChange=${setItem}
          options=${items.length ? items.map((i) => [i.id, title(i)]) : [["", "No items found"]]} />
        <div class="actions"><button type="submit" class="secondary" disabled=${!item}>Show what readers would see</button></div>
      </form>
      <${ErrorSummary} problem=${problem} />
      ${result && html`<div role="status">
        ${!result.shown && html`<p class="notice">This site does not show this item: it is about
          ${result.item_countries.join(", ")}, and the site shows other countries.</p>`}
        <table>
          <caption>Readers of this site</caption>
          <thead><tr><th scope="col">Reading in</th><th scope="col">Languages tried</th><th scope="col">They see</th></tr></thead>
          <tbody>${result.readers.map((r) => html`<tr>
            <td>${languageName(r.locale)}</td>
            <td>${r.chain.map((l) => l.toUpperCase()).join(" → ")}</td>
            <td>${r.served_locale
              ? html`“${r.title}” in ${languageName(r.served_locale)}${r.served_locale !== r.locale ? " (fallback)" : ""}`
              : html`<span class="status missing">nothing</span> no live translation in these languages`}</td>
          </tr>`)}</tbody>
        </table>
      </div>`}
    </section>`;
}
