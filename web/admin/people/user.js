// @ts-check
// One person's account: name, role and scope; disable or enable; a new password they
// must change; resetting their two-factor sign-in (a lost phone: their sessions end
// too; never one's own, which the server refuses); delete. What the server refuses (the
// last active admin) is said where the button was pressed, in the server's words.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { userOf } from "../api/session.js";
import { deleteUser, getAccountPolicy, getUser, resetTwoFactor, updateUser } from "../api/users.js";
import { differs, navigate, useLeaveWarning } from "../navigation.js";
import { Checkboxes, ErrorSummary, TextField, when, incompleteChoices } from "../widgets/forms.js";
import { languageName, roleName } from "../widgets/names.js";
import { RoleAndScope, scopeOf } from "./role-and-scope.js";

/** @typedef {import("../api/users.js").User} User */
/** @typedef {import("../api/users.js").UserChanges} UserChanges */
/** @typedef {import("../api/users.js").AccountPolicy} AccountPolicy */
/** @typedef {import("../api/session.js").Me} Me */
/** @typedef {import("../api/http.js").Problem} Problem */

/** @param {User} user */
function formOf(user) {
  return {
    display_name: user.display_name,
    role: user.role,
    countries: user.scope.countries,
    locales: user.scope.locales,
  };
}

/** What disabling or deleting does to the automation tokens a person made. */
/** @param {User} user */
function tokensNote(user) {
  if (!user.admin_tokens) return "";
  const count = user.admin_tokens === 1 ? "1 automation token" : `${user.admin_tokens} automation tokens`;
  return ` The ${count} they created will be revoked; their site and preview tokens keep working.`;
}

/** @param {{ id: string, me: Me }} props */
export function UserScreen({ id, me }) {
  const [user, setUser] = useState(/** @type {User | null} */ (null));
  const [form, setForm] = useState(/** @type {ReturnType<typeof formOf> | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [accessProblem, setAccessProblem] = useState(/** @type {Problem | null} */ (null));
  const [password, setPassword] = useState({ value: "", must_change: ["yes"] });
  const [passwordProblem, setPasswordProblem] = useState(/** @type {Problem | null} */ (null));
  const [notice, setNotice] = useState(new URLSearchParams(window.location.search).get("created") ? "The user was created." : "");
  const [policy, setPolicy] = useState(/** @type {AccountPolicy | null} */ (null));
  const [twoFactorProblem, setTwoFactorProblem] = useState(/** @type {Problem | null} */ (null));

  /** @param {User} data */
  const load = (data) => {
    setUser(data);
    setForm(formOf(data));
    document.title = `${data.display_name} – Users – buysocial`;
  };
  useEffect(() => {
    getUser(id).then(load).catch(setProblem);
    getAccountPolicy().then(setPolicy).catch(() => setPolicy(null));
  }, [id]);
  useLeaveWarning(differs(form, user && formOf(user)) || password.value !== "",
    "This user's page has unsaved changes. Leave without saving them?");

  if (!user) return problem ? html`<h1>User</h1><${ErrorSummary} problem=${problem} />` : html`<p role="status">Loading…</p>`;
  const set = (change) => setForm({ ...form, ...change });
  // Only saving the form refills it: disabling or a new password keeps what is typed.
  /**
   * @param {UserChanges} body
   * @param {(problem: Problem | null) => void} onProblem
   * @param {string} done
   */
  const change = async (body, onProblem, done, refill = false) => {
    setNotice("");
    onProblem(null);
    try {
      const data = await updateUser(id, body);
      if (refill) load(data);
      else setUser(data);
      setNotice(done);
      return true;
    } catch (error) {
      onProblem(error);
      return false;
    }
  };
  const save = (event) => {
    event.preventDefault();
    const incomplete = incompleteChoices();
    if (incomplete) {
      setProblem(incomplete);
      return;
    }
    change({ display_name: form.display_name, role: form.role, scope: scopeOf(form) },
      setProblem, "Changes saved. They apply from the user's next request.", true);
  };
  const setNewPassword = async (event) => {
    event.preventDefault();
    const ok = await change({ password: password.value, must_change_password: password.must_change.includes("yes") },
      setPasswordProblem, "The password was set and the user's sessions ended.");
    if (ok) setPassword({ value: "", must_change: ["yes"] });
  };
  const remove = async () => {
    if (!window.confirm(`Delete ${user.display_name} (${user.email})? They can no longer sign in; the audit log keeps what they did.${tokensNote(user)}`)) return;
    setAccessProblem(null);
    try {
      await deleteUser(id);
      navigate("/admin/users", { replace: true, asking: false });
    } catch (error) {
      setAccessProblem(error);
    }
  };
  const required = policy?.two_factor_roles.includes(user.role);
  const resetSecondFactor = async () => {
    if (!window.confirm(`Reset two-factor sign-in for ${user.display_name} (${user.email})? Their sessions end at once, `
      + "and their authenticator app and recovery codes stop working: they will sign in again with their password only "
      + `and must set it up again${required ? " before they can do anything else" : " if they want it"}.`)) return;
    setNotice("");
    setTwoFactorProblem(null);
    try {
      await resetTwoFactor(id);
      setUser(await getUser(id));
      setNotice(`Two-factor sign-in for ${user.display_name} is reset, and their sessions have ended. They sign in `
        + `again with their password only${required ? ", then set it up again before anything else" : ""}.`);
    } catch (error) {
      setTwoFactorProblem(error);
    }
  };
  const errors = problem?.fields || {};
  const self = userOf(me)?.id === user.id;
  return html`
    <p><a href="/admin/users">Back to the users</a></p>
    <h1>${user.display_name}</h1>
    <p>${user.email} · ${roleName(user.role)} · ${user.disabled ? "disabled" : "active"}${self ? " · this is you" : ""}${" "}
      · Two-factor sign-in: ${user.two_factor ? "on" : "off"}
      <br /><span class="hint">Created ${when(user.created_at)}; last changed ${when(user.updated_at)};
      mails about the account in ${languageName(user.language || "en")}</span></p>
    ${notice && html`<div class="notice success" role="status">${notice}</div>`}

    <h2>Role and scope</h2>
    <${ErrorSummary} problem=${problem} labels=${{ display_name: "Name", role: "Role", scope: "Countries and languages" }} />
    <form onSubmit=${save} novalidate>
      <${TextField} name="display_name" label="Name" value=${form.display_name}
        onInput=${(v) => set({ display_name: v })} error=${errors.display_name} />
      <${RoleAndScope} me=${me} form=${form} set=${set} errors=${errors} />
      <div class="actions"><button type="submit">Save changes</button></div>
    </form>

    <h2>Password</h2>
    <${ErrorSummary} problem=${passwordProblem} labels=${{ password: "New password" }} />
    <form onSubmit=${setNewPassword} novalidate>
      <${TextField} name="password" label="New password" type="password" autocomplete="new-password"
        hint="Their sessions end at once. Tell them the password in person or by phone."
        value=${password.value} onInput=${(v) => setPassword({ ...password, value: v })} error=${passwordProblem?.fields?.password} />
      <${Checkboxes} name="password_must_change" legend="At next sign-in" value=${password.must_change}
        onChange=${(v) => setPassword({ ...password, must_change: v })} options=${[["yes", "They must choose their own password"]]} />
      <div class="actions"><button type="submit" class="secondary">Set password</button></div>
    </form>

    <h2>Two-factor sign-in</h2>
    <${ErrorSummary} problem=${twoFactorProblem} />
    ${self
      ? html`<p>${user.two_factor
          ? "On: you sign in with your password and a code from your authenticator app."
          : "Off: you sign in with your password only."}${" "}
          You cannot reset your own two-factor sign-in here: another administrator can, if you lose your phone.</p>
        <p><a href="/admin/account">Set up, turn off or make new recovery codes in Your account</a></p>`
      : user.two_factor
      ? html`<p>On: they sign in with their password and a code from their authenticator app. If they lose their
          phone, or move to a new one, reset it: their sessions end, and they set it up again.</p>
        <div class="actions"><button type="button" class="warning" onClick=${resetSecondFactor}>Reset two-factor sign-in</button></div>`
      : html`<p>Off: they sign in with their password only.${required
          ? ` Their role (${roleName(user.role)}) must use it: they must set it up before they can do anything else.`
          : ""}</p>`}

    <h2>Access</h2>
    <${ErrorSummary} problem=${accessProblem} />
    <p>${user.disabled
      ? "This account is disabled: the user cannot sign in."
      : "Disabling ends the user's sessions at once and stops them signing in, until the account is enabled again."}
      ${!user.disabled && user.admin_tokens > 0 && html` ${tokensNote(user).trim()}`}</p>
    <div class="actions">
      ${user.disabled
        ? html`<button type="button" class="secondary" onClick=${() => change({ disabled: false }, setAccessProblem, "The account is enabled.")}>Enable account</button>`
        : html`<button type="button" class="warning" onClick=${() => window.confirm(`Disable ${user.display_name} (${user.email})? Their sessions end at once.${tokensNote(user)}`)
          && change({ disabled: true }, setAccessProblem, "The account is disabled and its sessions ended.")}>Disable account</button>`}
      <button type="button" class="warning" onClick=${remove}>Delete user</button>
    </div>`;
}
