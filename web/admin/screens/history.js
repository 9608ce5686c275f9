// An item's history: every saved draft, publication and change of details, each with
// what changed field by field, and Restore, which makes a revision's content the draft
// again (nothing readers see changes until it is published).

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { get, post } from "../api.js";
import { navigate } from "../app.js";
import { ErrorSummary, when } from "./forms.js";

const ACTIONS = {
  create: "Created",
  draft: "Draft saved",
  fields: "Details changed",
  publish: "Published",
  unpublish: "Unpublished",
  restore: "Restored",
  drop: "Translation dropped",
};

function show(value) {
  if (value === null || value === undefined || value === "") return "(empty)";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function Changes({ kind, id, revision }) {
  const [detail, setDetail] = useState(null);
  const [problem, setProblem] = useState(null);
  useEffect(() => {
    get(`/api/v1/admin/${kind.path}/${id}/revisions/${revision.id}`)
      .then(({ data }) => setDetail(data))
      .catch(setProblem);
  }, [revision.id]);
  if (problem) return html`<p class="error-message">${problem.message}</p>`;
  if (!detail) return html`<p role="status">Loading the changes…</p>`;
  if (detail.changes.length === 0) return html`<p>No field changed.</p>`;
  return html`<table>
    <caption class="visually-hidden">Changes</caption>
    <thead><tr><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
    <tbody>${detail.changes.map((c) => html`<tr>
      <th scope="row">${c.field}</th>
      <td><del>${show(c.before)}</del></td>
      <td><ins>${show(c.after)}</ins></td></tr>`)}</tbody>
  </table>`;
}

const REVIEW_WORDS = { open: "waiting", published: "published", returned: "sent back" };

/** The item's review requests: asked when, with what message, and the outcome. */
function Reviews({ kind, id }) {
  const [reviews, setReviews] = useState(null);
  useEffect(() => {
    get(`/api/v1/admin/${kind.path}/${id}/review-requests`).then(({ data }) => setReviews(data.items)).catch(() => setReviews([]));
  }, [id]);
  if (!reviews || reviews.length === 0) return null;
  return html`<h2>Review requests</h2>
    <ul>${reviews.map((r) => html`<li key=${r.id}>${r.locale.toUpperCase()}: asked ${when(r.requested_at)}${r.comment ? ` (“${r.comment}”)` : ""},
      ${REVIEW_WORDS[r.status] || r.status}${r.decided_at ? ` ${when(r.decided_at)}` : ""}${r.answer ? `: “${r.answer}”` : ""}</li>`)}</ul>`;
}

export function History({ kind, id, me }) {
  const [revisions, setRevisions] = useState(null);
  const [item, setItem] = useState(null);
  const [open, setOpen] = useState(null);
  const [problem, setProblem] = useState(null);
  useEffect(() => {
    document.title = `History – buysocial`;
    get(`/api/v1/admin/${kind.path}/${id}`).then(({ data }) => setItem(data)).catch(setProblem);
    get(`/api/v1/admin/${kind.path}/${id}/revisions?per_page=100`)
      .then(({ data }) => setRevisions(data.items))
      .catch(setProblem);
  }, [kind, id]);

  const restore = async (revision) => {
    setProblem(null);
    try {
      await post(`/api/v1/admin/${kind.path}/${id}/revisions/${revision.id}/restore`);
      navigate(`/admin/${kind.path}/${id}${revision.locale ? `?locale=${revision.locale}` : ""}`);
    } catch (error) {
      setProblem(error);
    }
  };
  const title = item?.translations[0]?.draft.title || kind.one;
  return html`
    <p><a href=${`/admin/${kind.path}/${id}`}>Back to the ${kind.one}</a></p>
    <h1>History of “${title}”</h1>
    <${ErrorSummary} problem=${problem} />
    <${Reviews} kind=${kind} id=${id} />
    <h2>Changes</h2>
    ${!revisions && !problem && html`<p role="status">Loading…</p>`}
    ${revisions && html`<ol class="history">
      ${revisions.map((r) => {
        const writable = item && (r.locale ? item.permissions.write_locales.includes(r.locale) : item.permissions.edit_fields);
        return html`<li key=${r.id}>
          <p><strong>${ACTIONS[r.action] || r.action}</strong>${r.locale ? ` (${r.locale.toUpperCase()})` : ""}, ${when(r.created_at)}
            ${r.created_by_name ? ` by ${r.created_by_name}` : r.created_by ? " by someone since removed" : " by scheduled publishing"}</p>
          <div class="actions">
            <button type="button" class="secondary" aria-expanded=${open === r.id}
              onClick=${() => setOpen(open === r.id ? null : r.id)}>${open === r.id ? "Hide changes" : "Show changes"}</button>
            ${writable && r.action !== "drop" && html`<button type="button" class="secondary" onClick=${() => restore(r)}>Restore this version</button>`}
          </div>
          ${open === r.id && html`<${Changes} kind=${kind} id=${id} revision=${r} />`}
        </li>`;
      })}
    </ol>`}`;
}
