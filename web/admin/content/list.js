// @ts-check
// The items of one kind: search, filters and pages, each row with the state of every
// translation in words ("FR live", "NL draft").

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { listItems } from "../api/items.js";
import { ErrorSummary, Select, TextField, when, Pager } from "../widgets/forms.js";

/** @typedef {import("../kinds.js").Kind} Kind */
/** @typedef {import("../api/session.js").Me} Me */
/** @typedef {import("../api/items.js").ItemList} ItemList */
/** @typedef {import("../api/items.js").ItemSummary} ItemSummary */
/** @typedef {import("../api/items.js").ItemQuery} ItemQuery */
/** @typedef {import("../api/http.js").Problem} Problem */

const STATUSES = [
  ["", "Any status"],
  ["draft", "Draft only"],
  ["published", "Published"],
  ["changed", "Changed since publishing"],
  ["scheduled", "Scheduled"],
  ["trashed", "In the trash"],
];

/** @param {ItemSummary["translations"][number]} translation */
function stateOf(translation) {
  if (translation.changed) return ["changed", "changed"];
  if (translation.live) return ["live", "live"];
  return ["draft", "draft"];
}

/** @param {ItemSummary} item */
function title(item) {
  return item.translations[0]?.title || "(untitled)";
}

/** @param {{ kind: Kind, me: Me }} props */
export function ItemList({ kind, me }) {
  const params = new URLSearchParams(window.location.search);
  const [q, setQ] = useState(params.get("q") || "");
  const [status, setStatus] = useState(params.get("status") || "");
  const [locale, setLocale] = useState(params.get("locale") || "");
  const [tag, setTag] = useState(params.get("tag") || "");
  const [country, setCountry] = useState(params.get("country") || "");
  // National editors start with their own countries and EU-wide items.
  const [reach, setReach] = useState(me.permissions.eu_wide ? "all" : "mine");
  const [page, setPage] = useState(1);
  const [result, setResult] = useState(/** @type {ItemList | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [query, setQuery] = useState({ q, status, locale, reach, tag, country });

  useEffect(() => {
    document.title = `${kind.label} – buysocial`;
  }, [kind]);

  useEffect(() => {
    /** @type {ItemQuery} */
    const search = {
      page, per_page: 20, q: query.q, status: /** @type {ItemQuery["status"]} */ (query.status || undefined),
      locale: query.locale, in_scope: query.reach === "mine" || undefined, tag: query.tag, country: query.country,
    };
    setResult(null);
    listItems(kind.path, search)
      .then((data) => {
        setProblem(null);
        setResult(data);
      })
      .catch(setProblem);
  }, [kind, query, page]);

  const apply = (event) => {
    event.preventDefault();
    setPage(1);
    setQuery({ q, status, locale, reach, tag: tag.trim().toLowerCase(), country });
  };
  const locales = me.permissions.locales;

  return html`
    <div class="page-head">
      <h1>${kind.label}</h1>
      ${me.permissions.create_content &&
      html`<a class="button" href=${`/admin/${kind.path}/new`}>New ${kind.one}</a>`}
    </div>
    <${ErrorSummary} problem=${problem} />
    <form class="filters" role="search" aria-label=${`Find ${kind.label.toLowerCase()}`} onSubmit=${apply}>
      <${TextField} name="q" label="Search" type="search" value=${q} onInput=${setQ} />
      <${Select} name="status" label="Status" value=${status} onChange=${setStatus} options=${STATUSES} />
      <${Select} name="locale" label="Language" value=${locale} onChange=${setLocale}
        options=${[["", "Any language"], ...locales.map((l) => [l, l.toUpperCase()])]} />
      ${!me.permissions.eu_wide && html`<${Select} name="reach" label="Countries" value=${reach} onChange=${setReach}
        options=${[["mine", `${me.permissions.countries.join(", ") || "Mine"} and EU-wide`], ["all", "All countries"]]} />`}
      ${me.permissions.countries.length > 1 && html`<${Select} name="country" label="Country" value=${country} onChange=${setCountry}
        options=${[["", "Any country"], ...me.permissions.countries.map((c) => [c, c])]} />`}
      <${TextField} name="tag" label="Tag" value=${tag} onInput=${setTag} />
      <button type="submit" class="secondary">Apply filters</button>
    </form>
    ${!result && !problem && html`<p role="status">Loading…</p>`}
    ${result && result.items.length === 0 && html`<p>No ${kind.label.toLowerCase()} here yet.
      ${me.permissions.create_content && html` <a href=${`/admin/${kind.path}/new`}>Create the first ${kind.one}.</a>`}</p>`}
    ${result && result.items.length > 0 && html`
      <table class="responsive">
        <caption class="visually-hidden">${kind.label}, ${result.page.total} in all</caption>
        <thead><tr><th scope="col">Title</th><th scope="col">Translations</th><th scope="col">Countries</th><th scope="col">Last change</th></tr></thead>
        <tbody>
          ${result.items.map((item) => html`<tr>
            <td data-label="Title"><a href=${`/admin/${kind.path}/${item.id}`}>${title(item)}</a>${item.trashed ? " (in the trash)" : ""}</td>
            <td data-label="Translations">${item.translations.map((t) => {
              const [css, word] = stateOf(t);
              return html`<span class=${`status ${css}`}>${t.locale.toUpperCase()} ${word}</span>`;
            })}</td>
            <td data-label="Countries">${item.countries.length ? item.countries.join(", ") : "EU-wide"}</td>
            <td data-label="Last change">${when(item.updated_at)}</td>
          </tr>`)}
        </tbody>
      </table>
      <${Pager} page=${page} of=${result.page} onPage=${setPage} />`}`;
}
