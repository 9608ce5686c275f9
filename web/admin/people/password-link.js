// @ts-check
// A forgotten password: asking for a mailed link (the same answer whether or not an
// account uses the address), and the page that link opens to choose a new one. Both
// work without a session. The link's token is in the address's fragment: it is read
// once and taken out of the address bar.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { askForPasswordLink, resetPassword, takeLinkToken } from "../api/session.js";
import { BASE } from "../router.js";
import { ErrorSummary, TextField, problemWith, sentence } from "../widgets/forms.js";

/** @typedef {import("../api/http.js").Problem} Problem */

export function ForgotPassword() {
  const [email, setEmail] = useState("");
  const [sentTo, setSentTo] = useState("");
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = "Forgot your password? – buysocial";
  }, []);

  const submit = async (event) => {
    event.preventDefault();
    const address = email.trim();
    if (!address) {
      setProblem(problemWith({ email: "Enter the email address you sign in with" }));
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await askForPasswordLink(address);
      setSentTo(address);
    } catch (error) {
      setProblem(error);
    }
    setBusy(false);
  };

  return html`
    <h1>Forgot your password?</h1>
    ${sentTo
      ? html`<div class="notice success" role="status">
          <h2>Check your email</h2>
          <p>If an account uses <strong>${sentTo}</strong>, a link to choose a new password is on its way to it.</p>
          <p>The link works once, for 30 minutes. Until you use it, your password stays as it is.</p>
          <p>No mail after a few minutes? Look in your spam or junk folder, check the address, or send another link.</p>
        </div>`
      : html`<p>Enter the email address you sign in with. We will send you a link to choose a new password.</p>`}
    <${ErrorSummary} problem=${problem} labels=${{ email: "Email" }} />
    <form onSubmit=${submit} novalidate>
      <${TextField} name="email" label="Email" type="email" autocomplete="username"
        value=${email} onInput=${setEmail} error=${problem?.fields?.email} />
      <div class="actions"><button type="submit" class=${sentTo ? "secondary" : undefined} disabled=${busy}>
        ${sentTo ? "Send another link" : "Send me a link"}</button></div>
    </form>
    <p><a href=${BASE}>Back to sign in</a></p>`;
}

/**
 * Why a link does not work (its token unknown, used or expired), and what to do.
 * @param {{ problem: Problem | null }} props
 */
function DeadLink({ problem }) {
  const expired = problem?.status === 410;
  return html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="dead-link">
    <h2 id="dead-link">${expired ? "This link no longer works" : "This link is not valid"}</h2>
    ${expired
      ? html`<p>${sentence(problem.message)} A link to choose a new password works once, for 30 minutes.
          Your password has not changed.</p>`
      : html`<p>Open the whole link from the mail; if you asked for more than one, use the newest.
          Your password has not changed.</p>`}
    <p><a href=${`${BASE}/forgot-password`}>Ask for a new link</a></p>
  </div>`;
}

/** @param {{ onChanged: () => void }} props */
export function ResetPassword({ onChanged }) {
  const [token] = useState(takeLinkToken);
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = "Choose a new password – buysocial";
  }, []);

  if (!token) {
    return html`<h1>Choose a new password</h1><${DeadLink} problem=${null} />`;
  }
  const submit = async (event) => {
    event.preventDefault();
    if (!password) {
      setProblem(problemWith({ new_password: "Enter a new password" }));
      return;
    }
    setBusy(true);
    try {
      await resetPassword(token, password);
      onChanged();
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  };
  if (problem && (problem.status === 404 || problem.status === 410)) {
    return html`<h1>Choose a new password</h1><${DeadLink} problem=${problem} />`;
  }
  return html`
    <h1>Choose a new password</h1>
    <p>After this, you sign in with the new password everywhere: any session you still have ends.</p>
    <${ErrorSummary} problem=${problem} labels=${{ new_password: "New password" }} />
    <form onSubmit=${submit} novalidate>
      <${TextField} name="new_password" label="New password" type="password" autocomplete="new-password"
        hint="At least 12 characters. A few unrelated words work well."
        value=${password} onInput=${setPassword} error=${problem?.fields?.new_password} />
      <div class="actions"><button type="submit" disabled=${busy}>Change password</button></div>
    </form>`;
}
