// @ts-check
// What the translation form holds: the draft as saved, or the copy of unsaved text kept
// in this browser, and whether it differs from the draft (unsaved). Kept until it is
// saved, so that a reload or an expired session loses nothing; leaving asks first.

import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { useLeaveWarning } from "../../navigation.js";
import { keptKey } from "../../widgets/kept-copies.js";
import { EMPTY, same, textsOf } from "./texts.js";

/** @typedef {import("../../kinds.js").Kind} Kind */
/** @typedef {import("../../api/items.js").Item} Item */
/** @typedef {import("../../api/session.js").Me} Me */
/** @typedef {import("./texts.js").Texts} Texts */

/**
 * The texts and file of the translation `locale` of `item` (null while it loads).
 * @param {{ kind: Kind, item: Item | null, me: Me, locale: string | null }} options
 */
export function useDraftTexts({ kind, item, me, locale }) {
  const [texts, setTexts] = useState(EMPTY);
  const [restored, setRestored] = useState(false);
  const [fileId, setFileId] = useState(/** @type {string | null} */ (null));
  // What the form holds now, for a save that ends after more was typed.
  const latest = useRef(texts);
  latest.current = texts;

  const translation = item?.translations.find((t) => t.locale === locale);
  const server = useMemo(() => textsOf(translation), [translation]);
  const serverFile = translation?.draft.file_asset_id ?? null;
  const dirty = item !== null && (!same(texts, server) || (kind.path === "materials" && fileId !== serverFile));
  const key = item && keptKey(me, item.id, locale);

  // A new tab, or the item loaded: the form shows the draft, or the copy kept here.
  // Before the browser paints (a layout effect), so that nothing typed into the form
  // as it appears can be overwritten by the draft a moment later.
  useLayoutEffect(() => {
    if (!item) return;
    const kept = localStorage.getItem(key);
    const base = textsOf(translation);
    if (kept) {
      const copy = JSON.parse(kept);
      setTexts(copy);
      setRestored(!same(copy, base));
    } else {
      setTexts(base);
      setRestored(false);
    }
    setFileId(translation?.draft.file_asset_id ?? null);
    const title = base.title || "New translation";
    document.title = `${title} (${locale.toUpperCase()}) – buysocial`;
  }, [item?.id, locale]);

  // Keep what is typed; ask before leaving with unsaved changes.
  useEffect(() => {
    if (!item) return;
    if (dirty) localStorage.setItem(key, JSON.stringify(texts));
    else localStorage.removeItem(key);
  }, [dirty, texts]);
  useLeaveWarning(Boolean(item) && dirty,
    "This translation has unsaved changes. Leave without saving them? (A copy stays in this browser.)");

  return {
    texts, setTexts, server, fileId, setFileId, dirty, restored, setRestored, latest,
    /**
     * Drops the copy of `of` kept here (saved, or given up): the language shown, unless
     * a save begun in another one ends now.
     * @param {string} [of]
     */
    forget: (of = locale) => item && localStorage.removeItem(keptKey(me, item.id, of)),
  };
}

/** @typedef {ReturnType<typeof useDraftTexts>} DraftTexts */
