// @ts-check
// Writing Markdown without knowing it: a toolbar over the body that wraps the selected
// text (heading, bold, italic, list, link) and inserts an image or file of the media
// library, keeping the selection where the person expects it.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { listAssets } from "../api/assets.js";
import { fieldId } from "./forms.js";

/** @typedef {import("../api/assets.js").Asset} Asset */

/** The change a button makes to `text` with `start`..`end` selected. */
function apply(action, text, start, end, extra) {
  const selected = text.slice(start, end);
  const before = text.slice(0, start);
  const after = text.slice(end);
  const lineStart = before.lastIndexOf("\n") + 1;
  switch (action) {
    case "heading": {
      const line = text.slice(lineStart);
      const prefixed = line.startsWith("## ") ? line.slice(3) : `## ${line}`;
      const shift = prefixed.length - line.length;
      return { value: text.slice(0, lineStart) + prefixed, start: start + shift, end: end + shift };
    }
    case "bold":
    case "italic": {
      const mark = action === "bold" ? "**" : "*";
      const inner = selected || (action === "bold" ? "bold text" : "italic text");
      return { value: `${before}${mark}${inner}${mark}${after}`, start: start + mark.length, end: start + mark.length + inner.length };
    }
    case "list": {
      const block = text.slice(lineStart, end);
      const listed = block.split("\n").map((l) => (l.startsWith("- ") ? l : `- ${l}`)).join("\n");
      return { value: text.slice(0, lineStart) + listed + after, start: lineStart, end: lineStart + listed.length };
    }
    case "link": {
      const words = selected || "link text";
      const inserted = `[${words}](https://)`;
      const urlAt = start + words.length + 3;
      return { value: before + inserted + after, start: urlAt, end: urlAt + 8 };
    }
    case "asset": {
      const { asset } = extra;
      const image = asset.content_type.startsWith("image/");
      const words = selected || asset.alt || asset.title || asset.file_name;
      const inserted = `${image ? "!" : ""}[${words}](${asset.url})`;
      return { value: before + inserted + after, start: start + inserted.length, end: start + inserted.length };
    }
    default:
      return { value: text, start, end };
  }
}

/** The toolbar of the Markdown field `name` (a TextArea), whose value is `value`. */
export function MarkdownToolbar({ name, value, onInput, disabled }) {
  const [picking, setPicking] = useState(false);
  const [assets, setAssets] = useState(/** @type {Asset[]} */ ([]));
  useEffect(() => {
    if (picking) listAssets({ per_page: 100 }).then((list) => setAssets(list.items)).catch(() => setAssets([]));
  }, [picking]);
  const act = (action, extra) => {
    const area = /** @type {HTMLTextAreaElement | null} */ (document.getElementById(fieldId(name)));
    const start = area ? area.selectionStart : value.length;
    const end = area ? area.selectionEnd : value.length;
    const changed = apply(action, value, start, end, extra);
    onInput(changed.value);
    // After the form shows the new text: the selection where the person continues.
    requestAnimationFrame(() => {
      const again = /** @type {HTMLTextAreaElement | null} */ (document.getElementById(fieldId(name)));
      if (again) {
        again.focus();
        again.setSelectionRange(changed.start, changed.end);
      }
    });
  };
  const buttons = [["heading", "Heading"], ["bold", "Bold"], ["italic", "Italic"], ["list", "List"], ["link", "Link"]];
  return html`<div class="toolbar" role="toolbar" aria-label="Format the body" aria-controls=${fieldId(name)}>
    ${buttons.map(([action, label]) => html`<button type="button" class="secondary" disabled=${disabled}
      onClick=${() => act(action)}>${label}</button>`)}
    <button type="button" class="secondary" disabled=${disabled} aria-expanded=${picking ? "true" : "false"}
      onClick=${() => setPicking(!picking)}>Image or file</button>
    ${picking && html`<div class="picker" role="group" aria-label="Insert from the media library">
      ${assets.length === 0 && html`<p>No files yet: upload them in the media library.</p>`}
      <ul>${assets.map((asset) => html`<li><button type="button" class="link"
        onClick=${() => { setPicking(false); act("asset", { asset }); }}>Insert ${asset.title || asset.file_name}</button></li>`)}</ul>
    </div>`}
  </div>`;
}
