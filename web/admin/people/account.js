// @ts-check
// "Your account": who you are in buysocial, your two-factor sign-in and your password.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { changePassword, userOf } from "../api/session.js";
import { ErrorSummary, TextField, problemWith } from "../widgets/forms.js";
import { countryName, languageName, roleName } from "../widgets/names.js";
import { TwoFactor } from "./two-factor.js";

/** @typedef {import("../api/session.js").Me} Me */
/** @typedef {import("../api/session.js").SessionMe} SessionMe */
/** @typedef {import("../api/http.js").Problem} Problem */

function Password() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setDone(false);
    /** @type {Record<string, string>} */
    const empty = {};
    if (!current) empty.current_password = "Enter your current password";
    if (!next) empty.new_password = "Enter a new password";
    if (Object.keys(empty).length > 0) {
      setProblem(problemWith(empty));
      return;
    }
    setBusy(true);
    try {
      await changePassword(current, next);
      setCurrent("");
      setNext("");
      setProblem(null);
      setDone(true);
    } catch (error) {
      setProblem(error);
    }
    setBusy(false);
  };
  return html`
    ${done && html`<p class="notice success" role="status">Your password is changed. Your other sessions have ended;
      this one carries on.</p>`}
    <${ErrorSummary} problem=${problem}
      labels=${{ current_password: "Current password", new_password: "New password" }} />
    <form onSubmit=${submit} novalidate>
      <${TextField} name="current_password" label="Current password" type="password"
        autocomplete="current-password" value=${current} onInput=${setCurrent}
        error=${problem?.fields?.current_password} />
      <${TextField} name="new_password" label="New password" type="password"
        autocomplete="new-password" hint="At least 12 characters. A few unrelated words work well."
        value=${next} onInput=${setNext} error=${problem?.fields?.new_password} />
      <div class="actions"><button type="submit" class="secondary" disabled=${busy}>Change password</button></div>
    </form>`;
}

/** @param {{ me: Me, reload: () => void, signInAgain: (why: string) => void }} props */
export function YourAccount({ me, reload, signInAgain }) {
  useEffect(() => {
    document.title = "Your account – buysocial";
  }, []);
  const user = userOf(me);
  if (!user) {
    return html`<h1>Your account</h1>
      <p>You are using buysocial with an API token, not a personal account: there is nothing to set here.</p>`;
  }
  const session = /** @type {SessionMe} */ (me);
  return html`
    <h1>Your account</h1>
    <dl class="summary">
      <div><dt>Name</dt><dd>${user.display_name}</dd></div>
      <div><dt>Email</dt><dd>${user.email}</dd></div>
      <div><dt>Role</dt><dd>${roleName(user.role)}</dd></div>
      ${user.role !== "admin" && html`
        <div><dt>Countries</dt><dd>${user.scope.countries.length
          ? user.scope.countries.map(countryName).join(", ") : "All countries (EU-wide)"}</dd></div>
        <div><dt>Languages</dt><dd>${user.scope.locales.length
          ? user.scope.locales.map(languageName).join(", ") : "All languages"}</dd></div>`}
    </dl>
    <p class="hint">${me.permissions.manage_users
      ? html`You change names, roles, countries and languages in <a href=${`/admin/users/${user.id}`}>Users</a>.`
      : "An administrator can change your name, role, countries and languages."}</p>

    <h2>Two-factor sign-in</h2>
    <${TwoFactor} me=${session} onChanged=${reload} onSignInAgain=${signInAgain} />

    <h2>Password</h2>
    <${Password} />`;
}
