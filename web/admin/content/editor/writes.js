// @ts-check
// The writes of one translation and what they leave on screen: saving the draft (with
// If-Match; a 412 or 428 becomes the conflict to resolve), and every other change
// (publish, schedule, review), each followed by reading the item again.

import { useEffect, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { saveDraft } from "../../api/translations.js";
import { same, textsOf } from "./texts.js";

/** @typedef {import("../../kinds.js").Kind} Kind */
/** @typedef {import("../../api/items.js").Item} Item */
/** @typedef {import("../../api/items.js").ScheduleChoice} ScheduleChoice */
/** @typedef {import("../../api/translations.js").Draft} Draft */
/** @typedef {import("../../api/http.js").Problem} Problem */
/** @typedef {import("./texts.js").Texts} Texts */
/** @typedef {import("./draft-texts.js").DraftTexts} DraftTexts */

/**
 * The version saved meanwhile, for the conflict panel.
 * @typedef {{ locale: string, theirs: Texts, etag: string, at: string, by: string | null | undefined }} Meanwhile
 */

/**
 * @param {{ kind: Kind, item: Item, locale: string, draft: DraftTexts, reload: () => Promise<Item | null> }} options
 */
export function useTranslationWrites({ kind, item, locale, draft, reload }) {
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [saved, setSaved] = useState(/** @type {Date | null} */ (null));
  const [conflict, setConflict] = useState(/** @type {Meanwhile | null} */ (null));
  const [busy, setBusy] = useState(false);
  // The newest source revision shown beside the draft: a save follows it.
  const [sourceRevision, setSourceRevision] = useState(/** @type {string | null} */ (null));
  const [keepSchedule, setKeepSchedule] = useState(/** @type {ScheduleChoice} */ ("keep"));
  const { texts, setTexts, fileId, setRestored, latest, forget } = draft;

  const translation = item.translations.find((t) => t.locale === locale);
  const canPublish = item.permissions.publish_locales.includes(locale);
  // A scheduled publication publishes the draft it was scheduled with: saving a new one
  // says what happens to it (keep it, for whoever may publish; or cancel it).
  const scheduledPublish = translation?.schedules.find((s) => s.action === "publish") ?? null;
  /** @type {ScheduleChoice} */
  const scheduleChoice = canPublish ? keepSchedule : "cancel";

  // What belongs to one translation does not follow the editor to another.
  useEffect(() => {
    setSaved(null);
    setConflict(null);
    setProblem(null);
  }, [item.id, locale]);

  /**
   * Runs one change of the translation, then reads the item again; its refusal is shown.
   * @param {() => Promise<unknown>} change
   */
  const run = async (change) => {
    setBusy(true);
    setProblem(null);
    try {
      await change();
      await reload();
      return true;
    } catch (error) {
      setProblem(error);
      return false;
    } finally {
      setBusy(false);
    }
  };

  /**
   * @param {Texts} [values]
   * @param {string | null} [etag]
   */
  const save = async (values = texts, etag = translation?.etag) => {
    const savedLocale = locale;
    // What the form held when saving began: after a merge that is the editor's own
    // text, not the merged one that is saved.
    const formAtStart = latest.current;
    setBusy(true);
    setProblem(null);
    /** @type {Draft} */
    const body = { ...values };
    if (!body.slug) delete body.slug;
    if (kind.path === "materials" && fileId) body.file_asset_id = fileId;
    if (savedLocale !== item.source_locale && sourceRevision) body.based_on = sourceRevision;
    if (scheduledPublish) body.schedule = scheduleChoice;
    try {
      await saveDraft(kind.path, item.id, savedLocale, body, etag);
      forget(savedLocale);
      const fresh = await reload();
      const stored = fresh && textsOf(fresh.translations.find((t) => t.locale === savedLocale));
      // The form shows what was saved, unless more was typed while the save was on its
      // way: that stays in the form (and unsaved).
      if (stored && same(latest.current, formAtStart)) setTexts(stored);
      setConflict(null);
      setRestored(false);
      setSaved(new Date());
    } catch (error) {
      if (error.status === 412 || error.status === 428) {
        // Saved meanwhile (412), or created meanwhile by someone else (428).
        const fresh = await reload();
        const theirs = fresh && fresh.translations.find((t) => t.locale === savedLocale);
        if (theirs) {
          setConflict({ locale: savedLocale, theirs: textsOf(theirs), etag: theirs.etag, at: theirs.draft.updated_at,
            by: theirs.draft.updated_by_name });
        } else {
          error.message = "This translation was removed while you were writing. Your text is still here: save it to write the translation again.";
          setProblem(error);
        }
      } else {
        setProblem(error);
      }
    } finally {
      setBusy(false);
    }
  };

  return {
    problem, setProblem, saved, conflict, setConflict, busy, run, save,
    scheduledPublish, scheduleChoice, setKeepSchedule, setSourceRevision, canPublish,
  };
}
