// @ts-check
// Sign in with email and password. After an expired session the address stays where it
// was, and any text typed in an editor is kept in this browser (widgets/kept-copies.js).

import { html, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { Problem } from "../api/http.js";
import { signIn } from "../api/session.js";
import { ErrorSummary, TextField } from "../widgets/forms.js";

/** @param {{ expired: boolean, onSignedIn: () => void }} props */
export function SignIn({ expired, onSignedIn }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    /** @type {Record<string, string>} */
    const missing = {};
    if (!email.trim()) missing.email = "Enter your email address";
    if (!password) missing.password = "Enter your password";
    if (Object.keys(missing).length > 0) {
      const problem = new Problem(422, { detail: "Some fields are missing." });
      problem.fields = missing;
      setProblem(problem);
      return;
    }
    setBusy(true);
    try {
      await signIn(email.trim(), password);
      onSignedIn();
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  };

  return html`
    <h1>Sign in to buysocial</h1>
    ${expired && html`<div class="notice" role="status">Your session has ended. Sign in again
      to carry on: translations you were writing are kept in this browser until you save them.</div>`}
    <${ErrorSummary} problem=${problem} labels=${{ email: "Email", password: "Password" }} />
    <form onSubmit=${submit} novalidate>
      <${TextField} name="email" label="Email" type="email" autocomplete="username"
        value=${email} onInput=${setEmail} error=${problem?.fields?.email} />
      <${TextField} name="password" label="Password" type="password" autocomplete="current-password"
        value=${password} onInput=${setPassword} error=${problem?.fields?.password} />
      <div class="actions"><button type="submit" disabled=${busy}>Sign in</button></div>
    </form>`;
}
