// @ts-check
// The form of one translation: its texts, a material's file, what a save does to a
// scheduled publication, and the actions (Save draft, Publish, Ask for review,
// Unpublish), each offered as the item's permissions say.

import { html, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { TextArea, TextField } from "../../widgets/forms.js";
import { BodyField } from "./body-field.js";
import { MaterialFile } from "./material-file.js";
import { ScheduleOnSave } from "./schedule.js";

/** @typedef {import("../../kinds.js").Kind} Kind */
/** @typedef {import("../../api/items.js").Translation} Translation */
/** @typedef {import("../../api/items.js").ScheduleChoice} ScheduleChoice */
/** @typedef {import("../../api/http.js").Problem} Problem */
/** @typedef {import("./draft-texts.js").DraftTexts} DraftTexts */
/** @typedef {import("./schedule.js").PendingScheduleValue} PendingScheduleValue */

/**
 * @typedef {object} TranslationFormProps
 * @property {Kind} kind
 * @property {string} locale
 * @property {Translation | undefined} translation none yet: the form writes the first draft
 * @property {DraftTexts} draft
 * @property {Problem | null} problem
 * @property {boolean} busy
 * @property {Date | null} saved
 * @property {boolean} locked no typing: not the person's language, or a conflict is open
 * @property {boolean} canWrite
 * @property {boolean} canPublish
 * @property {PendingScheduleValue | null} scheduledPublish
 * @property {ScheduleChoice} scheduleChoice
 * @property {(choice: ScheduleChoice) => void} onScheduleChoice
 * @property {() => void} onSave
 * @property {(action: "publish" | "unpublish") => void} onAct
 * @property {(comment: string) => Promise<boolean>} onAskReview
 */

/** @param {TranslationFormProps} props */
export function TranslationForm(props) {
  const { kind, locale, translation, draft, problem, busy, saved, locked, canWrite, canPublish } = props;
  const { texts, setTexts, dirty, fileId, setFileId } = draft;
  const [reviewComment, setReviewComment] = useState("");
  /** @param {keyof import("./texts.js").Texts} name */
  const set = (name) => (/** @type {string} */ value) => setTexts({ ...texts, [name]: value });
  const errors = problem?.fields ?? {};
  const live = translation?.live;
  const reviewable = canWrite && translation && !translation.in_review;
  const askReview = async () => {
    if (await props.onAskReview(reviewComment)) setReviewComment("");
  };
  return html`
    <form class="target" onSubmit=${(/** @type {Event} */ e) => { e.preventDefault(); props.onSave(); }} novalidate>
      <fieldset disabled=${locked} class="plain">
        <legend class="visually-hidden">${locale.toUpperCase()} translation</legend>
        <${TextField} name="title" label="Title" value=${texts.title} onInput=${set("title")} error=${errors.title} />
        <${TextField} name="slug" label="Slug" value=${texts.slug} onInput=${set("slug")} error=${errors.slug}
          hint="The end of the item's address. Leave it empty to have it made from the title." />
        <${TextArea} name="summary" label="Summary" rows="3" value=${texts.summary} onInput=${set("summary")} error=${errors.summary} />
        <${BodyField} locale=${locale} value=${texts.body} onInput=${set("body")} error=${errors.body} disabled=${!canWrite}
          exceedsLimits=${translation?.draft.body_exceeds_limits} />
        ${kind.path === "materials" && html`<${MaterialFile} fileId=${fileId} onChoose=${setFileId} locale=${locale} />`}
        <${TextField} name="seo_title" label="SEO title" value=${texts.seo_title} onInput=${set("seo_title")} error=${errors.seo_title} />
        <${TextArea} name="seo_description" label="SEO description" rows="2" value=${texts.seo_description} onInput=${set("seo_description")} error=${errors.seo_description} />
      </fieldset>
      ${canWrite && dirty && props.scheduledPublish && html`<${ScheduleOnSave} schedule=${props.scheduledPublish} canPublish=${canPublish}
        value=${props.scheduleChoice} onChange=${props.onScheduleChoice} />`}
      <div class="actions">
        ${canWrite && html`<button type="submit" disabled=${busy}>Save draft</button>`}
        ${dirty && html`<span class="unsaved">Unsaved changes</span>`}
        ${!dirty && saved && html`<span class="saved-at" role="status">Saved ${saved.toLocaleTimeString(undefined, { timeStyle: "short" })}</span>`}
        ${canPublish && translation && html`<button type="button" disabled=${busy || dirty}
          aria-describedby=${dirty ? "publish-hint" : undefined}
          onClick=${() => props.onAct("publish")}>Publish ${locale.toUpperCase()}</button>`}
        ${canPublish && translation && dirty && html`<span class="hint" id="publish-hint">Save your changes before publishing.</span>`}
        ${reviewable && html`<button type="button" class="secondary" disabled=${busy || dirty} onClick=${askReview}>Ask for review</button>`}
        ${canPublish && live && html`<button type="button" class="warning" disabled=${busy}
          onClick=${() => {
            if (window.confirm(`Unpublish the ${locale.toUpperCase()} translation? Readers will no longer see it.`)) props.onAct("unpublish");
          }}>Unpublish ${locale.toUpperCase()}</button>`}
      </div>
      ${reviewable && html`<${TextArea} name="review_comment"
        label="Message for the reviewer (optional)" rows="2" value=${reviewComment} onInput=${setReviewComment} />`}
    </form>`;
}
