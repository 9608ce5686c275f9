// @ts-check
// Changing one's own password: required after a generated one.

import { html, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { changePassword } from "../api/session.js";
import { ErrorSummary, TextField } from "../widgets/forms.js";

/** @typedef {import("../api/http.js").Problem} Problem */

/** @param {{ onChanged: () => void }} props */
export function ChangePassword({ onChanged }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await changePassword(current, next);
      onChanged();
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  };

  return html`
    <h1>Choose your own password</h1>
    <p>The password you signed in with was generated for you. Choose one only you know
      before you start.</p>
    <${ErrorSummary} problem=${problem}
      labels=${{ current_password: "Current password", new_password: "New password" }} />
    <form onSubmit=${submit} novalidate>
      <${TextField} name="current_password" label="Current password" type="password"
        autocomplete="current-password" value=${current} onInput=${setCurrent}
        error=${problem?.fields?.current_password} />
      <${TextField} name="new_password" label="New password" type="password"
        autocomplete="new-password" hint="At least 12 characters. A few unrelated words work well."
        value=${next} onInput=${setNext} error=${problem?.fields?.new_password} />
      <div class="actions"><button type="submit" disabled=${busy}>Change password</button></div>
    </form>`;
}
