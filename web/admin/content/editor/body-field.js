// @ts-check
// The body of a translation: Markdown with a formatting toolbar, and the preview the
// server renders exactly as publishing does, beside the text on a wide screen or in
// turns (Write, Preview) on a narrow one, which then asks the server for no preview.

import { html, useEffect, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { TextArea } from "../../widgets/forms.js";
import { MarkdownToolbar } from "../../widgets/markdown-toolbar.js";
import { MarkdownPreview, useWide } from "./markdown-preview.js";

/**
 * @param {{ locale: string, value: string, onInput: (value: string) => void, error?: string, disabled: boolean, exceedsLimits?: string | null }} props
 */
export function BodyField({ locale, value, onInput, error, disabled, exceedsLimits }) {
  const [previewing, setPreviewing] = useState(false);
  const wide = useWide();
  useEffect(() => setPreviewing(false), [locale]);
  return html`
    <div class="actions body-view-toggle" role="group" aria-label="Body view">
      <button type="button" class="secondary" aria-pressed=${!previewing} onClick=${() => setPreviewing(false)}>Write</button>
      <button type="button" class="secondary" aria-pressed=${previewing} onClick=${() => setPreviewing(true)}>Preview</button>
    </div>
    ${exceedsLimits && html`<p class="notice warning" role="status">This text is shown to readers as plain
      text, without its formatting: ${exceedsLimits}. Simplify it before saving it again.</p>`}
    <div class="write-preview">
      <div class="write">
        ${previewing
          ? html`<${MarkdownPreview} markdown=${value} />`
          : html`<${MarkdownToolbar} name="body" value=${value} onInput=${onInput} disabled=${disabled} />
            <${TextArea} name="body" label="Body" rows="14" hint="Markdown: ## for a heading, * for a list, [text](address) for a link."
              value=${value} onInput=${onInput} error=${error} />`}
      </div>
      ${!previewing && wide && html`<div class="preview-side" role="region" aria-label="Preview beside the text">
        <${MarkdownPreview} markdown=${value} delay=${400} /></div>`}
    </div>`;
}
