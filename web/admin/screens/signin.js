// Sign in with email and password. After an expired session the address stays where it
// was, and any text typed in an editor is kept in this browser (see editor.js).

import { html, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { Problem, post, startSession } from "../api.js";
import { ErrorSummary, TextField } from "./forms.js";

export function SignIn({ expired, onSignedIn }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
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
      const { data } = await post("/api/v1/auth/login", { email: email.trim(), password });
      startSession(data.token);
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
