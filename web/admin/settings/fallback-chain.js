// @ts-check
// A site's fallback chain: an ordered list of languages, each movable and removable,
// with focus kept where a keyboard user expects it.

import { html, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { Select } from "../widgets/forms.js";
import { languageName } from "../widgets/names.js";

/**
 * The fallback chain: an ordered list, each language movable and removable.
 * @param {{ value: string[], onChange: (chain: string[]) => void, options: string[], error?: string }} props
 */
export function FallbackChain({ value, onChange, options, error }) {
  const [adding, setAdding] = useState("");
  const left = options.filter((l) => !value.includes(l));
  // After a move, focus follows the language moved (its other button when the one
  // pressed is now disabled); after a removal, it goes to the list's heading.
  const refocus = (id) => setTimeout(() => document.getElementById(id)?.focus(), 0);
  const move = (i, by) => {
    const next = [...value];
    const locale = next[i];
    [next[i], next[i + by]] = [next[i + by], next[i]];
    onChange(next);
    const edge = by < 0 ? i + by === 0 : i + by === next.length - 1;
    refocus(`chain-${locale}-${edge ? (by < 0 ? "down" : "up") : by < 0 ? "up" : "down"}`);
  };
  const remove = (locale) => {
    onChange(value.filter((l) => l !== locale));
    refocus("fallback-title");
  };
  const add = () => {
    const locale = adding || left[0];
    if (locale) onChange([...value, locale]);
    setAdding("");
  };
  return html`
    <section class=${`field${error ? " has-error" : ""}`} aria-labelledby="fallback-title" id="field-fallback" tabindex="-1">
      <h3 id="fallback-title" class="label" tabindex="-1">Fallback chain</h3>
      <p class="hint">When an item has no translation in the language asked for, readers get the first of these that it has, in this order.</p>
      ${error && html`<p class="error-message"><span class="visually-hidden">Error: </span>${error}</p>`}
      ${value.length === 0 && html`<p>No fallback: readers see only items translated into their language.</p>`}
      <ol class="chain">${value.map((locale, i) => html`<li key=${locale}>
        <span class="name">${languageName(locale)}</span>
        <button type="button" class="secondary" id=${`chain-${locale}-up`} disabled=${i === 0} onClick=${() => move(i, -1)}
          aria-label=${`Up: move ${languageName(locale)} up`}>Up</button>
        <button type="button" class="secondary" id=${`chain-${locale}-down`} disabled=${i === value.length - 1} onClick=${() => move(i, 1)}
          aria-label=${`Down: move ${languageName(locale)} down`}>Down</button>
        <button type="button" class="secondary" onClick=${() => remove(locale)}
          aria-label=${`Remove ${languageName(locale)} from the chain`}>Remove</button>
      </li>`)}</ol>
      ${left.length > 0 && html`<div class="inline-fields">
        <${Select} name="fallback-add" label="Language to add" value=${adding || left[0]} onChange=${setAdding}
          options=${left.map((l) => [l, languageName(l)])} />
        <div class="field"><button type="button" class="secondary" onClick=${add}>Add to the chain</button></div>
      </div>`}
    </section>`;
}
