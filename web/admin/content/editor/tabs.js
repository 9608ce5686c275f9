// @ts-check
// One tab per translation, each saying its state, and adding a translation in another
// language the person may write.

import { html } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { navigate } from "../../navigation.js";
import { statusWords } from "./texts.js";

/** @typedef {import("../../kinds.js").Kind} Kind */
/** @typedef {import("../../api/items.js").Item} Item */

/** @param {{ kind: Kind, item: Item, locale: string, permissions: Item["permissions"] }} props */
export function Tabs({ kind, item, locale, permissions }) {
  const present = item.translations.map((t) => t.locale);
  const addable = permissions.write_locales.filter((l) => !present.includes(l));
  return html`
    <nav class="tabs" aria-label="Translations">
      ${item.translations.map((t) => html`<a href=${`/admin/${kind.path}/${item.id}?locale=${t.locale}`}
        aria-current=${t.locale === locale ? "page" : undefined}>${t.locale.toUpperCase()} ${statusWords(t)}</a>`)}
    </nav>
    ${addable.length > 0 && html`<form class="inline-fields" onSubmit=${(e) => {
      e.preventDefault();
      const chosen = new FormData(e.currentTarget).get("new_locale");
      navigate(`/admin/${kind.path}/${item.id}?locale=${chosen}`);
    }}>
      <div class="field"><label for="new-locale">Add a translation</label>
        <select id="new-locale" name="new_locale">
          ${addable.map((l) => html`<option value=${l}>${l.toUpperCase()}</option>`)}
        </select></div>
      <div class="field"><button type="submit" class="secondary">Add translation</button></div>
    </form>`}`;
}
