// @ts-check
// The 412 panel: someone saved the translation meanwhile. Both versions side by side,
// the differences highlighted, and per field "Keep mine" or "Take theirs".

import { html, useEffect, useRef, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { Diff } from "../../widgets/diff.js";
import { TEXT_FIELDS } from "./texts.js";

/** @typedef {import("./texts.js").Texts} Texts */

/**
 * The version saved meanwhile beside the editor's, field by field.
 * @param {{ mine: Texts, theirs: Texts, heading: string, onResolve: (values: Texts, takeAll?: boolean) => void, onCancel: () => void }} props
 */
export function Conflict({ mine, theirs, heading, onResolve, onCancel }) {
  const title = useRef(null);
  useEffect(() => {
    if (title.current) title.current.focus();
  }, []);
  const differing = TEXT_FIELDS.filter(([name]) => (mine[name] ?? "") !== (theirs[name] ?? ""));
  const [choice, setChoice] = useState(() => Object.fromEntries(differing.map(([n]) => [n, "mine"])));
  const merged = () => {
    const result = { ...theirs };
    for (const [name] of TEXT_FIELDS) result[name] = choice[name] === "theirs" ? theirs[name] : mine[name];
    return result;
  };
  return html`
    <section class="conflict" aria-labelledby="conflict-title">
      <h2 id="conflict-title" tabindex="-1" ref=${title}>${heading}</h2>
      <p>Your text is not lost. For each field that differs, keep yours or take theirs, then save.</p>
      ${differing.map(([name, label]) => html`
        <fieldset class="field">
          <legend>${label}</legend>
          <div class="pair">
            <div><h3>Yours</h3><pre>${mine[name]}</pre></div>
            <div><h3>Saved meanwhile</h3><pre>${theirs[name]}</pre></div>
          </div>
          <div class="difference" role="group" aria-label=${`How theirs differs from yours (${label})`}>
            <p class="hint">How theirs differs from yours: underlined only in theirs, struck through only in yours.</p>
            <${Diff} before=${mine[name]} after=${theirs[name]} />
          </div>
          <label><input type="radio" name=${`choice-${name}`} checked=${choice[name] === "mine"}
            onChange=${() => setChoice({ ...choice, [name]: "mine" })} /> Keep mine (${label})</label>
          <label><input type="radio" name=${`choice-${name}`} checked=${choice[name] === "theirs"}
            onChange=${() => setChoice({ ...choice, [name]: "theirs" })} /> Take theirs (${label})</label>
        </fieldset>`)}
      <div class="actions">
        <button type="button" onClick=${() => onResolve(merged())}>Save merged</button>
        <button type="button" class="secondary" onClick=${() => onResolve(theirs, true)}>Take all of theirs</button>
        <button type="button" class="secondary" onClick=${onCancel}>Back to my text</button>
      </div>
    </section>`;
}
