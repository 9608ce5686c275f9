// @ts-check
// The item on the national sites: where readers see the live translation, and a
// preview link to the draft.

import { html, useEffect, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { listSites } from "../../api/sites.js";
import { makePreviewLink } from "../../api/translations.js";
import { Select, when } from "../../widgets/forms.js";

/** @typedef {import("../../kinds.js").Kind} Kind */
/** @typedef {import("../../api/items.js").Item} Item */
/** @typedef {import("../../api/items.js").Translation} Translation */
/** @typedef {import("../../api/sites.js").Site} Site */
/** @typedef {import("../../api/translations.js").PreviewLink} PreviewLink */
/** @typedef {import("../../api/http.js").Problem} Problem */

/**
 * The item on the national sites: "View on site" for each site that shows the live
 * translation, and a preview link to the draft on a site that has a preview route.
 * @param {{ kind: Kind, item: Item, locale: string, live: Translation["live"] }} props
 */
export function OnTheSite({ kind, item, locale, live }) {
  const [sites, setSites] = useState(/** @type {Site[]} */ ([]));
  const [site, setSite] = useState("");
  const [link, setLink] = useState(/** @type {PreviewLink | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  useEffect(() => {
    listSites().then((list) => {
      const previewable = list.items.filter((s) => s.preview_url && s.locales.includes(locale)
        && (s.countries.length === 0 || item.countries.length === 0 || s.countries.some((c) => item.countries.includes(c))));
      setSites(previewable);
      setSite(previewable[0]?.code ?? "");
    }).catch(() => setSites([]));
    setLink(null);
  }, [item.id, locale]);
  const preview = async (event) => {
    event.preventDefault();
    setProblem(null);
    try {
      setLink(await makePreviewLink(kind.path, item.id, locale, site));
    } catch (error) {
      setProblem(error);
    }
  };
  const viewable = live?.urls ?? [];
  if (viewable.length === 0 && sites.length === 0) return null;
  return html`<section class="on-the-site" aria-labelledby="on-the-site-title">
    <h3 id="on-the-site-title">On the sites</h3>
    ${viewable.length > 0 && html`<ul class="links">${viewable.map((u) => html`<li>
      <a href=${u.url} target="_blank" rel="noopener noreferrer">View on site ${u.site} (live)</a></li>`)}</ul>`}
    ${sites.length > 0 && html`<form class="inline-fields" onSubmit=${preview}>
      <${Select} name="preview_site" label="Preview the draft on" value=${site} onChange=${(v) => { setSite(v); setLink(null); }}
        options=${sites.map((s) => [s.code, `${s.name} (${s.code})`])} />
      <div class="field"><button type="submit" class="secondary">Make a preview link</button></div>
    </form>`}
    ${problem && html`<p class="error-message">${problem.message}</p>`}
    ${link && html`<p role="status"><a href=${link.url} target="_blank" rel="noopener noreferrer">Open the preview on ${link.site}</a>
      <span class="hint"> (works until ${when(link.expires_at)}, for anyone who has the link)</span></p>`}
  </section>`;
}
