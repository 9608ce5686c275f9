// @ts-check
// A secret shown once (an API token's, a webhook's signing key): a read-only field, a
// copy button, and what to do with it.

import { html, useEffect, useRef, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { TextField } from "./forms.js";

export function SecretOnce({ label, secret, use, back, backText }) {
  const [copied, setCopied] = useState("");
  // The form that was there is gone: keyboard and screen-reader users start here.
  const heading = useRef(null);
  useEffect(() => heading.current && heading.current.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("Copied to the clipboard.");
    } catch {
      setCopied("The browser did not allow copying: select the secret and copy it yourself.");
    }
  };
  return html`
    <div class="notice success" role="status">
      <h2 tabindex="-1" ref=${heading}>Copy the secret now</h2>
      <p><strong>This is the only time it is shown.</strong> buysocial does not show it again. If it is lost,
        replace it with a new one. Keep it out of code repositories and emails.</p>
      <${TextField} name="secret" label=${label} value=${secret} readonly
        onInput=${() => {}} onFocus=${(e) => e.currentTarget.select()} />
      <p class="hint">${use}</p>
      <div class="actions">
        <button type="button" onClick=${copy}>Copy secret</button>
        <span aria-live="polite">${copied}</span>
      </div>
      <p><a href=${back}>${backText}</a></p>
    </div>`;
}
