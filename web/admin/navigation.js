// @ts-check
// Moving between the app's screens without reloading, and the one rule about leaving:
// a screen with typed, unsaved changes asks first, whether the person follows a link
// of the app, presses the browser's Back or Forward button, reloads or closes the tab.

import { useLayoutEffect } from "./vendor/htm-preact-standalone-3.1.1.js";

/** What each screen (or form within one) with unsaved changes says before leaving. */
const unsaved = new Set();

/** Whether leaving the screen shown is fine now, asking the person when something is unsaved. */
export function mayLeave() {
  if (unsaved.size === 0) return true;
  const reasons = [...new Set([...unsaved].map((entry) => entry.message))];
  return window.confirm(reasons.join("\n\n"));
}

/**
 * Goes to an address of the app without reloading it: after asking, when something is
 * unsaved, unless `asking` is false (the screen moves on after its own successful write).
 */
export function navigate(path, { replace = false, asking = true } = {}) {
  // Marks are not cleared here: a screen that stays (another language tab of the same
  // item) keeps its own; those of a screen that goes are removed as it goes.
  if (asking && !mayLeave()) return;
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  window.dispatchEvent(new Event("buysocial:navigate"));
  window.scrollTo(0, 0);
}

const askBeforeUnload = (event) => {
  event.preventDefault();
  event.returnValue = "";
};

/**
 * While `active`, leaving asks with `message` (the browser's own words for reloads and
 * closing the tab: browsers show no page text there).
 */
export function useLeaveWarning(active, message) {
  // A layout effect: registered as the change renders, not after the next paint, so
  // that a Back pressed at once after typing asks too.
  useLayoutEffect(() => {
    if (!active) return undefined;
    const entry = { message };
    unsaved.add(entry);
    window.addEventListener("beforeunload", askBeforeUnload);
    return () => {
      unsaved.delete(entry);
      if (unsaved.size === 0) window.removeEventListener("beforeunload", askBeforeUnload);
    };
  }, [active, message]);
}

/** Whether a form's values differ from those it was filled with (`null`: not loaded yet). */
export function differs(values, pristine) {
  return pristine != null && values != null && JSON.stringify(values) !== JSON.stringify(pristine);
}
