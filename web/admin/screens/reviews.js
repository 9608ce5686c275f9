// The review queue: translations waiting for an editor who may publish them, each
// published or sent back with an answer for its author.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { pathOf } from "../kinds.js";
import { get, post } from "../api.js";
import { ErrorSummary, TextArea, when } from "./forms.js";


function Request({ review, onDecided }) {
  const [answer, setAnswer] = useState("");
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const decide = async (action, body) => {
    setBusy(true);
    setProblem(null);
    try {
      await post(`/api/v1/admin/review-requests/${review.id}/${action}`, body);
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
    <div class="actions"><button type="button" disabled=${busy} onClick=${() => decide("publish")}>Publish ${name}</button></div>
    <form onSubmit=${(e) => { e.preventDefault(); decide("send-back", { answer }); }} novalidate>
      <${TextArea} name=${`answer-${review.id}`} label=${`What to change in ${name}`} rows="2" value=${answer} onInput=${setAnswer}
        error=${problem?.fields?.answer} />
      <button type="submit" class="secondary" disabled=${busy}>Send back</button>
    </form>
  </li>`;
}

export function ReviewQueue() {
  const [queue, setQueue] = useState(null);
  const [problem, setProblem] = useState(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    document.title = "Reviews – buysocial";
    get("/api/v1/admin/review-requests?per_page=100").then(({ data }) => setQueue(data.items)).catch(setProblem);
  }, [reload]);
  return html`
    <h1>Reviews</h1>
    <${ErrorSummary} problem=${problem} />
    ${queue && queue.length === 0 && html`<p>No translation is waiting for your review.</p>`}
    ${queue && queue.length > 0 && html`<ul class="reviews">${queue.map((r) => html`<${Request} key=${r.id} review=${r} onDecided=${() => setReload((n) => n + 1)} />`)}</ul>`}`;
}
