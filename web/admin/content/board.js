// @ts-check
// The translation board, an editor's home: their items against their locales, every
// cell a link saying in words where that translation stands ("FR outdated").

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { markActivitySeen, readActivity, readBoard } from "../api/board.js";
import { KINDS, pathOf } from "../kinds.js";
import { ErrorSummary, Select, TextField, Pager } from "../widgets/forms.js";

/** @typedef {import("../api/board.js").Board} Board */
/** @typedef {import("../api/board.js").BoardQuery} BoardQuery */
/** @typedef {import("../api/board.js").Activity} Activity */
/** @typedef {import("../api/board.js").ActivityEntry} ActivityEntry */
/** @typedef {import("../api/board.js").CellState} CellState */
/** @typedef {import("../api/session.js").Me} Me */
/** @typedef {import("../api/http.js").Problem} Problem */


/** @type {Record<CellState, string>} */
const WORDS = {
  missing: "missing",
  in_review: "in review",
  outdated: "outdated",
  scheduled: "scheduled",
  changed: "changed",
  draft: "draft",
  published: "published",
};

/** @type {Record<ActivityEntry["what"], (a: ActivityEntry) => string>} */
const HAPPENED = {
  outdated: (a) => `${a.locale.toUpperCase()} outdated: the source of “${a.title}” changed`,
  review_requested: (a) => `Review requested: “${a.title}” (${a.locale.toUpperCase()})${a.detail ? `: ${a.detail}` : ""}`,
  review_published: (a) => `Your review request was published: “${a.title}” (${a.locale.toUpperCase()})`,
  review_returned: (a) => `Sent back to you: “${a.title}” (${a.locale.toUpperCase()}): ${a.detail}`,
  schedule_ran: (a) => `Your scheduled ${a.detail} ran: “${a.title}” (${a.locale.toUpperCase()})`,
  schedule_failed: (a) => `Your scheduled change did not run: “${a.title}” (${a.locale.toUpperCase()}): ${a.detail}`,
};

/** What concerns the user since their last visit, until they mark it seen. */
function WhileAway() {
  const [feed, setFeed] = useState(/** @type {Activity | null} */ (null));
  useEffect(() => {
    readActivity().then(setFeed).catch(() => setFeed(null));
  }, []);
  if (!feed || feed.items.length === 0) return null;
  const seen = async () => {
    try {
      await markActivitySeen();
      setFeed({ ...feed, items: [] });
    } catch {
      // Shown again next time; nothing is lost.
    }
  };
  return html`<section class="notice" aria-labelledby="away-title">
    <h2 id="away-title">While you were away</h2>
    <ul>${feed.items.map((a) => html`<li><a href=${`/admin/${pathOf(a.item_kind)}/${a.item_id}?locale=${a.locale}`}>${HAPPENED[a.what](a)}</a></li>`)}</ul>
    <button type="button" class="secondary" onClick=${seen}>Mark these as seen</button>
  </section>`;
}

/** @param {{ me: Me }} props */
export function TranslationBoard({ me }) {
  const [kind, setKind] = useState("");
  const [country, setCountry] = useState("");
  const [tag, setTag] = useState("");
  const [needsWork, setNeedsWork] = useState(true);
  const [query, setQuery] = useState({ kind: "", country: "", tag: "", needsWork: true });
  const [page, setPage] = useState(1);
  const [board, setBoard] = useState(/** @type {Board | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));

  useEffect(() => {
    document.title = "Translations – buysocial";
  }, []);
  useEffect(() => {
    /** @type {BoardQuery} */
    const search = {
      page, per_page: 25, kind: /** @type {BoardQuery["kind"]} */ (query.kind || undefined),
      country: query.country, tag: query.tag, needs_work: query.needsWork || undefined,
    };
    readBoard(search).then(setBoard).catch(setProblem);
  }, [query, page]);

  const needs = board?.counts.needs_work ?? 0;
  return html`
    <h1>Translations</h1>
    <${WhileAway} />
    <${ErrorSummary} problem=${problem} />
    ${board && html`<p class="counts" role="status">${needs === 0 ? "Nothing needs work." : `${needs} translation${needs === 1 ? "" : "s"} need${needs === 1 ? "s" : ""} work`}
      ${board.counts.in_review > 0 ? `, ${board.counts.in_review} in review` : ""}</p>`}
    <form class="filters" role="search" aria-label="Filter the board" onSubmit=${(e) => {
      e.preventDefault();
      setPage(1);
      setQuery({ kind, country, tag: tag.trim().toLowerCase(), needsWork });
    }}>
      <${Select} name="kind" label="Kind" value=${kind} onChange=${setKind}
        options=${[["", "Everything"], ...KINDS.map((k) => [k.path, k.label])]} />
      ${me.permissions.countries.length > 1 && html`<${Select} name="country" label="Country" value=${country} onChange=${setCountry}
        options=${[["", "Any country"], ...me.permissions.countries.map((c) => [c, c])]} />`}
      <${TextField} name="tag" label="Tag" value=${tag} onInput=${setTag} />
      <div class="field"><label class="checkbox"><input type="checkbox" checked=${needsWork}
        onChange=${(e) => setNeedsWork(e.currentTarget.checked)} /> Only what needs work</label></div>
      <button type="submit" class="secondary">Apply filters</button>
    </form>
    ${board && board.items.length === 0 && html`<p>${query.needsWork ? "Every translation is up to date." : "No items yet."}</p>`}
    ${board && board.items.length > 0 && html`
      <table class="board responsive">
        <caption class="visually-hidden">Items and their translations</caption>
        <thead><tr><th scope="col">Item</th>${board.locales.map((l) => html`<th scope="col">${l.toUpperCase()}</th>`)}</tr></thead>
        <tbody>${board.items.map((row) => html`<tr key=${row.id}>
          <th scope="row" data-label="Item"><a href=${`/admin/${pathOf(row.kind)}/${row.id}`}>${row.title || "(untitled)"}</a>
            <span class="hint"> ${row.kind}${row.countries.length ? `, ${row.countries.join(", ")}` : ", EU-wide"}</span></th>
          ${row.cells.map((cell) => html`<td data-label=${cell.locale.toUpperCase()}>
            <a href=${`/admin/${pathOf(row.kind)}/${row.id}?locale=${cell.locale}`}>
              <span class=${`status ${cell.state}`}>${cell.locale.toUpperCase()} ${WORDS[cell.state]}</span></a></td>`)}
        </tr>`)}</tbody>
      </table>
      <${Pager} page=${page} of=${board.page} onPage=${setPage} />`}`;
}
