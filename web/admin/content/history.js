// @ts-check
// An item's history: every saved draft, publication and change of details, each with
// what changed field by field, and Restore, which makes a revision's content the draft
// again (nothing readers see changes until it is published).

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { getItem, getRevision, listRevisions, restoreRevision } from "../api/items.js";
import { itemReviews } from "../api/reviews.js";
import { navigate } from "../navigation.js";
import { ErrorSummary, Radios, when } from "../widgets/forms.js";

/** @typedef {import("../kinds.js").Kind} Kind */
/** @typedef {import("../api/items.js").Item} Item */
/** @typedef {import("../api/items.js").Revision} Revision */
/** @typedef {import("../api/items.js").RevisionDetail} RevisionDetail */
/** @typedef {import("../api/items.js").ScheduleChoice} ScheduleChoice */
/** @typedef {import("../api/reviews.js").Review} Review */
/** @typedef {import("../api/session.js").Me} Me */
/** @typedef {import("../api/http.js").Problem} Problem */

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

/** @param {{ kind: Kind, id: string, revision: Revision }} props */
function Changes({ kind, id, revision }) {
  const [detail, setDetail] = useState(/** @type {RevisionDetail | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  useEffect(() => {
    getRevision(kind.path, id, revision.id)
      .then(setDetail)
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

/**
 * The scheduled publications a restore of `revision` would replace the content of
 * (its translation's, or every one of the item's for details), and whether the person
 * may keep them: restoring asks what happens to them, as saving does.
 * @param {Item} item
 * @param {Revision} revision
 */
function schedulesAt(item, revision) {
  const translations = item.translations.filter((t) => !revision.locale || t.locale === revision.locale);
  const scheduled = translations.filter((t) => t.schedules.some((s) => s.action === "publish"));
  const times = scheduled.flatMap((t) => t.schedules.filter((s) => s.action === "publish").map((s) => s.at));
  return {
    locales: scheduled.map((t) => t.locale.toUpperCase()),
    at: times.sort()[0],
    canKeep: scheduled.every((t) => item.permissions.publish_locales.includes(t.locale)),
  };
}

/** Restoring over a scheduled publication: keep it for the restored content, or cancel it. */
function RestoreOverSchedule({ item, revision, busy, onRestore, onCancel }) {
  const { locales, at, canKeep } = schedulesAt(item, revision);
  const [choice, setChoice] = useState(canKeep ? "keep" : "cancel");
  const options = canKeep
    ? [["keep", `Publish the restored version then`], ["cancel", "Cancel the scheduled publishing"]]
    : [["cancel", "Cancel the scheduled publishing (an editor schedules it again)"]];
  return html`<form class="restore-choice" onSubmit=${(e) => { e.preventDefault(); onRestore(choice); }}>
    <${Radios} name=${`restore-${revision.id}`} options=${options} value=${choice} onChange=${setChoice}
      legend=${`Publishing of ${locales.join(", ")} is scheduled for ${when(at)}. When you restore this version:`} />
    <div class="actions">
      <button type="submit" disabled=${busy}>Restore this version</button>
      <button type="button" class="secondary" onClick=${onCancel}>Do not restore</button>
    </div>
  </form>`;
}

const REVIEW_WORDS = { open: "waiting", published: "published", returned: "sent back" };

/** The item's review requests: asked when, with what message, and the outcome. */
/** @param {{ kind: Kind, id: string }} props */
function Reviews({ kind, id }) {
  const [reviews, setReviews] = useState(/** @type {Review[] | null} */ (null));
  useEffect(() => {
    itemReviews(kind.path, id).then((history) => setReviews(history.items)).catch(() => setReviews([]));
  }, [id]);
  if (!reviews || reviews.length === 0) return null;
  return html`<h2>Review requests</h2>
    <ul>${reviews.map((r) => html`<li key=${r.id}>${r.locale.toUpperCase()}: asked ${when(r.requested_at)}${r.comment ? ` (“${r.comment}”)` : ""},
      ${REVIEW_WORDS[r.status] || r.status}${r.decided_at ? ` ${when(r.decided_at)}` : ""}${r.answer ? `: “${r.answer}”` : ""}</li>`)}</ul>`;
}

/** @param {{ kind: Kind, id: string, me: Me }} props */
export function History({ kind, id, me }) {
  const [revisions, setRevisions] = useState(/** @type {Revision[] | null} */ (null));
  const [item, setItem] = useState(/** @type {Item | null} */ (null));
  const [open, setOpen] = useState(null);
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [choosing, setChoosing] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = `History – buysocial`;
    getItem(kind.path, id).then(setItem).catch(setProblem);
    listRevisions(kind.path, id, { per_page: 100 })
      .then((list) => setRevisions(list.items))
      .catch(setProblem);
  }, [kind, id]);

  const restore = async (revision, schedule) => {
    if (!schedule && schedulesAt(item, revision).locales.length > 0) {
      setChoosing(revision.id);
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      await restoreRevision(kind.path, id, revision.id, schedule);
      navigate(`/admin/${kind.path}/${id}${revision.locale ? `?locale=${revision.locale}` : ""}`);
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };
  const title = item?.translations[0]?.draft.title || kind.one;
  return html`
    <p><a href=${`/admin/${kind.path}/${id}`}>Back to the ${kind.one}</a></p>
    <h1>History of “${title}”</h1>
    ${me?.permissions.read_audit && html`<p><a href=${`/admin/audit?item=${id}`}>Everything recorded about it in the audit log</a>
      (sign-ins, refusals and scheduled runs too)</p>`}
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
            ${writable && r.action !== "drop" && choosing !== r.id && html`<button type="button" class="secondary"
              disabled=${busy} onClick=${() => restore(r)}>Restore this version</button>`}
          </div>
          ${choosing === r.id && html`<${RestoreOverSchedule} item=${item} revision=${r} busy=${busy}
            onRestore=${(choice) => restore(r, choice)} onCancel=${() => setChoosing(null)} />`}
          ${open === r.id && html`<${Changes} kind=${kind} id=${id} revision=${r} />`}
        </li>`;
      })}
    </ol>`}`;
}
