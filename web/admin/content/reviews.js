// @ts-check
// The review queue: translations waiting for an editor who may publish them, each
// published or sent back with an answer for its author.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { pathOf } from "../kinds.js";
import { publishReviewed, reviewQueue, sendBack } from "../api/reviews.js";
import { ErrorSummary, TextArea, when } from "../widgets/forms.js";

/** @typedef {import("../api/reviews.js").Review} Review */
/** @typedef {import("../api/http.js").Problem} Problem */


/** @param {{ review: Review, onDecided: () => void }} props */
function Request({ review, onDecided }) {
  const [answer, setAnswer] = useState("");
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [busy, setBusy] = useState(false);
  /** @param {() => Promise<unknown>} decision */
  const decide = async (decision) => {
    setBusy(true);
    setProblem(null);
    try {
      await decision();
      onDecided();
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  };
  const name = `${review.title || "(untitled)"} (${review.locale.toUpperCase()})`;
  return html`<li class="review">
    <h2><a href=${`/admin/${pathOf(review.kind)}/${review.item_id}?locale=${review.locale}`}>${name}</a></h2>
    <p>Asked ${when(review.requested_at)}.${review.comment ? html` Message: “${review.comment}”` : ""}</p>
    <${ErrorSummary} problem=${problem} labels=${{ answer: "Answer" }} />
    <div class="actions"><button type="button" disabled=${busy} onClick=${() => decide(() => publishReviewed(review.id))}>Publish ${name}</button></div>
    <form onSubmit=${(e) => { e.preventDefault(); decide(() => sendBack(review.id, answer)); }} novalidate>
      <${TextArea} name=${`answer-${review.id}`} label=${`What to change in ${name}`} rows="2" value=${answer} onInput=${setAnswer}
        error=${problem?.fields?.answer} />
      <button type="submit" class="secondary" disabled=${busy}>Send back</button>
    </form>
  </li>`;
}

export function ReviewQueue() {
  const [queue, setQueue] = useState(/** @type {Review[] | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [reload, setReload] = useState(0);
  useEffect(() => {
    document.title = "Reviews – buysocial";
    reviewQueue().then((list) => setQueue(list.items)).catch(setProblem);
  }, [reload]);
  return html`
    <h1>Reviews</h1>
    <${ErrorSummary} problem=${problem} />
    ${queue && queue.length === 0 && html`<p>No translation is waiting for your review.</p>`}
    ${queue && queue.length > 0 && html`<ul class="reviews">${queue.map((r) => html`<${Request} key=${r.id} review=${r} onDecided=${() => setReload((n) => n + 1)} />`)}</ul>`}`;
}
