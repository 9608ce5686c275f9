// @ts-check
// One translation in the editor: its state, where readers see it, its schedules, the
// source beside it, and the form. A save that meets a newer version (writes.js) opens
// the conflict panel, where neither text is lost.

import { html } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { requestReview } from "../../api/reviews.js";
import { cancelSchedule, moveSchedule, publish, unpublish } from "../../api/translations.js";
import { ErrorSummary, when } from "../../widgets/forms.js";
import { languageWord } from "../../widgets/names.js";
import { Conflict } from "./conflict.js";
import { OnTheSite } from "./on-the-site.js";
import { PendingSchedule, Schedule } from "./schedule.js";
import { SourcePanel } from "./source.js";
import { TEXT_FIELDS, statusWords } from "./texts.js";
import { TranslationForm } from "./translation-form.js";
import { useTranslationWrites } from "./writes.js";

/** @typedef {import("../../kinds.js").Kind} Kind */
/** @typedef {import("../../api/items.js").Item} Item */
/** @typedef {import("./texts.js").Texts} Texts */
/** @typedef {import("./draft-texts.js").DraftTexts} DraftTexts */

const LABELS = Object.fromEntries(TEXT_FIELDS);

/**
 * @param {{ kind: Kind, item: Item, locale: string, draft: DraftTexts, reload: () => Promise<Item | null> }} props
 */
export function TranslationPanel({ kind, item, locale, draft, reload }) {
  const writes = useTranslationWrites({ kind, item, locale, draft, reload });
  const { problem, saved, conflict, setConflict, busy, run, save } = writes;
  const { texts, setTexts, dirty, restored, setRestored, forget } = draft;
  const translation = item.translations.find((t) => t.locale === locale);
  const canWrite = item.permissions.write_locales.includes(locale);
  const canPublish = writes.canPublish;

  /**
   * Publishes or unpublishes, now or at `at`.
   * @param {"publish" | "unpublish"} action
   * @param {string} [at]
   */
  const act = (action, at) => run(() => (action === "publish" ? publish : unpublish)(kind.path, item.id, locale, translation?.etag, at));
  /** @param {string} comment */
  const askReview = (comment) => run(() => requestReview(kind.path, item.id, locale, comment));
  /** @param {Texts} values @param {boolean} [takeAll] */
  const resolve = (values, takeAll) => {
    if (!takeAll) {
      save(values, conflict.etag);
      return;
    }
    setTexts(values);
    setConflict(null);
    forget();
  };

  const live = translation?.live;
  const sideBySide = locale !== item.source_locale;
  return html`
    <h2>${locale.toUpperCase()} translation: ${statusWords(translation)}</h2>
    ${live && html`<p>Live since ${when(live.published_at)} as “${live.title}”${live.published_by_name ? `, published by ${live.published_by_name}` : ""}.</p>`}
    ${translation && html`<${OnTheSite} kind=${kind} item=${item} locale=${locale} live=${live} />`}
    ${translation?.schedules.map((s) => html`<${PendingSchedule} schedule=${s} canChange=${canPublish} disabled=${busy}
      onCancel=${() => run(() => cancelSchedule(kind.path, item.id, locale))}
      onMove=${(/** @type {string} */ at) => run(() => moveSchedule(kind.path, item.id, locale, at))} />`)}
    ${translation?.failed_schedule && html`<p class="notice warning" role="status">${translation.failed_schedule.action === "publish" ? "Publishing" : "Unpublishing"}
      scheduled for ${when(translation.failed_schedule.at)} did not happen: ${translation.failed_schedule.reason}.</p>`}
    ${restored && html`<div class="notice" role="status">Your unsaved changes from before are back.
      <button type="button" class="secondary" onClick=${() => {
        forget();
        setTexts(draft.server);
        setRestored(false);
      }}>Discard them</button></div>`}
    ${!canWrite && html`<p class="notice">You can read this translation; your scope does not let you change it.</p>`}
    ${conflict && conflict.locale === locale && html`<${Conflict} mine=${texts} theirs=${conflict.theirs}
      heading=${`${conflict.by || "Someone else"} saved this ${languageWord(locale)} translation at ${when(conflict.at)}`}
      onResolve=${resolve} onCancel=${() => setConflict(null)} />`}
    <${ErrorSummary} problem=${problem} labels=${LABELS} />
    ${translation?.in_review && html`<p class="notice" role="status">A review of this translation is requested; an editor who may publish it will publish it or send it back.</p>`}
    <div class=${sideBySide ? "side-by-side" : ""}>
      ${sideBySide && html`<${SourcePanel} kind=${kind} item=${item} locale=${locale} canWrite=${canWrite}
        onMarked=${reload} onLatest=${writes.setSourceRevision} />`}
      <${TranslationForm} kind=${kind} locale=${locale} translation=${translation} draft=${draft} problem=${problem}
        busy=${busy} saved=${saved} locked=${!canWrite || conflict !== null} canWrite=${canWrite} canPublish=${canPublish}
        scheduledPublish=${writes.scheduledPublish} scheduleChoice=${writes.scheduleChoice} onScheduleChoice=${writes.setKeepSchedule}
        onSave=${() => save()} onAct=${act} onAskReview=${askReview} />
    </div>
    ${canPublish && translation && html`<${Schedule} disabled=${busy || dirty} live=${Boolean(live)}
      onSchedule=${act} locale=${locale} />`}`;
}
