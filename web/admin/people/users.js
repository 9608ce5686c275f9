// @ts-check
// People and what they may do: the list with filters, invitations not accepted yet, a
// new account by invitation (or, second choice, with a first password), and which roles
// must use two-factor sign-in. Roles and scopes: countries as EU member states,
// languages as configured, "all" explicit.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { invite, listInvitations, sendInvitationAgain, withdrawInvitation } from "../api/invitations.js";
import { userOf } from "../api/session.js";
import { createUser, getAccountPolicy, listUsers, setAccountPolicy } from "../api/users.js";
import { differs, navigate, useLeaveWarning } from "../navigation.js";
import { Checkboxes, ErrorSummary, Select, TextField, when, Pager, submitting, problemWith, sentence } from "../widgets/forms.js";
import { ROLES, countriesText, countryName, languageName, localesText, roleName } from "../widgets/names.js";
import { RoleAndScope, scopeOf } from "./role-and-scope.js";

/** @typedef {import("../api/users.js").UserList} UserList */
/** @typedef {import("../api/users.js").UserQuery} UserQuery */
/** @typedef {import("../api/users.js").Role} Role */
/** @typedef {import("../api/users.js").User} User */
/** @typedef {import("../api/users.js").AccountPolicy} AccountPolicy */
/** @typedef {import("../api/invitations.js").Invitation} Invitation */
/** @typedef {import("../api/session.js").Me} Me */
/** @typedef {import("../api/http.js").Problem} Problem */

/** Roles as a group of people: "Administrators". */
const ROLE_GROUPS = [["admin", "Administrators"], ["editor", "Editors"], ["author", "Authors"], ["viewer", "Viewers"]];

/**
 * Invitations not accepted yet: their state, sending again, withdrawing.
 * @param {{ invitations: Invitation[], onChanged: (notice: string) => void }} props
 */
function OpenInvitations({ invitations, onChanged }) {
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  /** @param {Invitation} invitation */
  const again = async (invitation) => {
    setProblem(null);
    try {
      const sent = await sendInvitationAgain(invitation.id);
      onChanged(`A new invitation was sent to ${sent.email}; its link works until ${when(sent.expires_at)}. `
        + "The link in the earlier mail no longer works.");
    } catch (error) {
      setProblem(error);
    }
  };
  /** @param {Invitation} invitation */
  const withdraw = async (invitation) => {
    if (!window.confirm(`Withdraw the invitation to ${invitation.email}? The link in their mail stops working: `
      + "they can no longer make an account with it.")) return;
    setProblem(null);
    try {
      await withdrawInvitation(invitation.id);
      onChanged(`The invitation to ${invitation.email} was withdrawn.`);
    } catch (error) {
      setProblem(error);
    }
  };
  return html`
    <h2>Invitations not accepted yet</h2>
    <${ErrorSummary} problem=${problem} />
    <table class="responsive">
      <caption class="visually-hidden">Invitations not accepted yet, ${invitations.length} in all</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Countries</th>
        <th scope="col">Languages</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${invitations.map((invitation) => html`<tr>
        <td data-label="Name" class="long">${invitation.display_name && html`${invitation.display_name}<br />`}${invitation.email}
          <br /><span class="hint">invited by ${invitation.invited_by}</span></td>
        <td data-label="Role">${roleName(invitation.role)}</td>
        <td data-label="Countries">${countriesText(invitation.scope.countries)}</td>
        <td data-label="Languages">${localesText(invitation.scope.locales)}</td>
        <td data-label="State">${invitation.status === "expired"
          ? html`<span class="status missing">Invitation expired</span><br /><span class="hint">on ${when(invitation.expires_at)}</span>`
          : html`<span class="status draft">Invited</span><br /><span class="hint">link works until ${when(invitation.expires_at)}</span>`}</td>
        <td><div class="row-actions">
          <button type="button" class="secondary" aria-label=${`Send the invitation to ${invitation.email} again`}
            onClick=${() => again(invitation)}>Send again</button>
          <button type="button" class="secondary" aria-label=${`Withdraw the invitation to ${invitation.email}`}
            onClick=${() => withdraw(invitation)}>Withdraw</button>
        </div></td>
      </tr>`)}</tbody>
    </table>`;
}

/**
 * Which roles must sign in with a second factor.
 * @param {{ me: Me, policy: AccountPolicy, onSaved: (policy: AccountPolicy) => void }} props
 */
function TwoFactorPolicy({ me, policy, onSaved }) {
  const [roles, setRoles] = useState(/** @type {string[]} */ (policy.two_factor_roles));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useLeaveWarning(differs([...roles].sort(), [...policy.two_factor_roles].sort()),
    "The roles that must use two-factor sign-in are not saved. Leave without saving them?");
  const you = userOf(me);
  const youToo = you && me.kind === "session" && !me.two_factor.enabled && roles.includes(you.role)
    && !policy.two_factor_roles.includes(you.role);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setSaved(false);
    setProblem(null);
    try {
      onSaved(await setAccountPolicy({ two_factor_roles: /** @type {Role[]} */ (roles) }));
      setSaved(true);
    } catch (error) {
      setProblem(error);
    }
    setBusy(false);
  };
  return html`
    <h2>Two-factor sign-in</h2>
    <p>People with a role ticked here must sign in with a code from an authenticator app as well as their
      password, and cannot turn it off. Those who have not set it up yet must do so before they can do anything
      else in buysocial.</p>
    ${saved && html`<p class="notice success" role="status">Saved. It applies at once.</p>`}
    <${ErrorSummary} problem=${problem} labels=${{ two_factor_roles: "Two-factor sign-in is required for" }} />
    <form onSubmit=${submit} novalidate>
      <${Checkboxes} name="two_factor_roles" legend="Two-factor sign-in is required for" value=${roles}
        onChange=${(v) => {
          setRoles(v);
          setSaved(false);
        }} error=${problem?.fields?.two_factor_roles} options=${ROLE_GROUPS} />
      <div aria-live="polite">${youToo && html`<p class="notice">You have not set up two-factor sign-in yourself.
        Once this is saved, you will have to set it up before you can do anything else in buysocial.</p>`}</div>
      <div class="actions"><button type="submit" class="secondary" disabled=${busy}>Save</button></div>
    </form>`;
}

/**
 * A user's two-factor sign-in as the list says it.
 * @param {User} user
 * @param {AccountPolicy | null} policy
 */
function twoFactorText(user, policy) {
  if (user.two_factor) return html`<span class="status live">on</span>`;
  if (policy?.two_factor_roles.includes(user.role)) {
    return html`<span class="status outdated">off</span><br /><span class="hint">must set it up before anything else</span>`;
  }
  return html`<span class="status draft">off</span>`;
}

/** @param {{ me: Me, reload: () => void }} props */
export function UserList({ me, reload }) {
  const [role, setRole] = useState("");
  const [country, setCountry] = useState("");
  const [query, setQuery] = useState({ role: "", country: "" });
  const [page, setPage] = useState(1);
  const [result, setResult] = useState(/** @type {UserList | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [invitations, setInvitations] = useState(/** @type {Invitation[]} */ ([]));
  const [policy, setPolicy] = useState(/** @type {AccountPolicy | null} */ (null));
  const [invited] = useState(() => new URLSearchParams(window.location.search).get("invited") || "");
  const [notice, setNotice] = useState("");

  const loadInvitations = () => listInvitations({ per_page: 100 }).then((list) => setInvitations(list.items)).catch(setProblem);
  useEffect(() => {
    document.title = "Users – buysocial";
    loadInvitations();
    getAccountPolicy().then(setPolicy).catch(setProblem);
  }, []);
  useEffect(() => {
    const role = /** @type {UserQuery["role"]} */ (query.role || undefined);
    listUsers({ page, per_page: 50, role, country: query.country }).then(setResult).catch(setProblem);
  }, [query, page]);

  const sent = invited && invitations.find((invitation) => invitation.email === invited);
  const shown = notice || (invited && `Invitation sent to ${invited}.${sent ? ` The link in it works until ${when(sent.expires_at)}.` : ""}`);
  return html`
    <div class="page-head">
      <h1>Users</h1>
      <div class="actions">
        <a class="button" href="/admin/users/invite">Invite someone</a>
        <a class="button secondary" href="/admin/users/new">Create with a password</a>
      </div>
    </div>
    ${shown && html`<p class="notice success" role="status">${shown}</p>`}
    <${ErrorSummary} problem=${problem} />
    ${invitations.length > 0 && html`<${OpenInvitations} invitations=${invitations} onChanged=${(text) => {
      setNotice(text);
      loadInvitations();
    }} />`}
    ${invitations.length > 0 && html`<h2>Accounts</h2>`}
    <form class="filters" role="search" aria-label="Find users" onSubmit=${(e) => {
      e.preventDefault();
      setPage(1);
      setQuery({ role, country });
    }}>
      <${Select} name="role" label="Role" value=${role} onChange=${setRole}
        options=${[["", "Any role"], ...ROLES.map(([r, text]) => [r, text])]} />
      <${Select} name="country" label="May work on" value=${country} onChange=${setCountry}
        options=${[["", "Any country"], ...me.permissions.countries.map((c) => [c, countryName(c)])]} />
      <button type="submit" class="secondary">Apply filters</button>
    </form>
    ${!result && !problem && html`<p role="status">Loading…</p>`}
    ${result && result.items.length === 0 && html`<p>Nobody matches these filters.</p>`}
    ${result && result.items.length > 0 && html`
      <table class="responsive">
        <caption class="visually-hidden">Users, ${result.page.total} in all</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Countries</th>
          <th scope="col">Languages</th><th scope="col">Two-factor sign-in</th><th scope="col">State</th></tr></thead>
        <tbody>${result.items.map((user) => html`<tr>
          <td data-label="Name" class="long"><a href=${`/admin/users/${user.id}`}>${user.display_name}</a><br />${user.email}</td>
          <td data-label="Role">${roleName(user.role)}</td>
          <td data-label="Countries">${countriesText(user.scope.countries)}</td>
          <td data-label="Languages">${localesText(user.scope.locales)}</td>
          <td data-label="Two-factor sign-in">${twoFactorText(user, policy)}</td>
          <td data-label="State">${user.disabled ? html`<span class="status missing">disabled</span>`
            : user.must_change_password ? html`<span class="status draft">must choose a password</span>`
            : html`<span class="status live">active</span>`}<br /><span class="hint">since ${when(user.created_at)}</span></td>
        </tr>`)}</tbody>
      </table>
      <${Pager} page=${page} of=${result.page} onPage=${setPage} />`}
    ${policy && html`<${TwoFactorPolicy} me=${me} policy=${policy} onSaved=${(saved) => {
      setPolicy(saved);
      // Whether the rule now applies to the admin at the keyboard is the API's to say.
      reload();
    }} />`}`;
}

/** @type {{ email: string, display_name: string, role: Role, countries: string[], locales: string[], password: string, must_change: string[] }} */
const NO_USER = { email: "", display_name: "", role: "editor", countries: [], locales: [], password: "", must_change: ["yes"] };

/** @param {{ me: Me }} props */
export function NewUser({ me }) {
  const [form, setForm] = useState(NO_USER);
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [busy, setBusy] = useState(false);
  useLeaveWarning(differs(form, NO_USER), "This new user is not created yet. Leave and lose what you typed?");
  const set = (change) => setForm({ ...form, ...change });
  useEffect(() => {
    document.title = "Create a user with a password – buysocial";
  }, []);

  const submit = submitting(setProblem, async () => {
    const created = await createUser({
      email: form.email.trim(),
      display_name: form.display_name.trim() || null,
      role: form.role,
      scope: scopeOf(form),
      password: form.password,
      must_change_password: form.must_change.includes("yes"),
    });
    navigate(`/admin/users/${created.id}?created=1`, { replace: true, asking: false });
  }, setBusy);
  const errors = problem?.fields || {};
  return html`
    <p><a href="/admin/users">Back to the users</a></p>
    <h1>Create a user with a password</h1>
    <p>Usually, <a href="/admin/users/invite">invite them</a> instead: they get a mail, choose their own password,
      and nobody else ever knows it. Create an account with a first password only when a mail cannot reach them.</p>
    <${ErrorSummary} problem=${problem} labels=${{ email: "Email", display_name: "Name", password: "First password", role: "Role" }} />
    <form onSubmit=${submit} novalidate>
      <${TextField} name="email" label="Email" type="email" autocomplete="off" value=${form.email}
        onInput=${(v) => set({ email: v })} error=${errors.email} />
      <${TextField} name="display_name" label="Name" hint="As others see it. Leave empty to use the start of the email."
        value=${form.display_name} onInput=${(v) => set({ display_name: v })} error=${errors.display_name} />
      <${RoleAndScope} me=${me} form=${form} set=${set} errors=${errors} />
      <${TextField} name="password" label="First password" type="password" autocomplete="new-password"
        hint="Give it to them in person or by phone, not in the same email as the address."
        value=${form.password} onInput=${(v) => set({ password: v })} error=${errors.password} />
      <${Checkboxes} name="must_change" legend="At first sign-in" value=${form.must_change}
        onChange=${(v) => set({ must_change: v })} options=${[["yes", "They must choose their own password"]]} />
      <div class="actions"><button type="submit" disabled=${busy}>Create user</button></div>
    </form>`;
}

/** @type {{ email: string, display_name: string, role: Role, countries: string[], locales: string[], language: string }} */
const NO_INVITATION = { email: "", display_name: "", role: "editor", countries: [], locales: [], language: "" };

/** @param {{ me: Me }} props */
export function Invite({ me }) {
  const locales = me.permissions.locales;
  const [pristine] = useState(() => ({ ...NO_INVITATION, language: locales.includes("en") ? "en" : locales[0] || "" }));
  const [form, setForm] = useState(pristine);
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [busy, setBusy] = useState(false);
  useLeaveWarning(differs(form, pristine), "This invitation is not sent yet. Leave and lose what you typed?");
  const set = (change) => setForm({ ...form, ...change });
  useEffect(() => {
    document.title = "Invite someone – buysocial";
  }, []);

  const submit = submitting((error) => {
    // "Has an account already", "is invited already": about the address.
    setProblem(error?.status === 409 ? problemWith({ email: sentence(error.message) }, error.message) : error);
  }, async () => {
    const email = form.email.trim();
    await invite({
      email,
      display_name: form.display_name.trim() || null,
      role: form.role,
      scope: scopeOf(form),
      language: form.language || null,
    });
    navigate(`/admin/users?invited=${encodeURIComponent(email)}`, { replace: true, asking: false });
  }, setBusy);
  const errors = problem?.fields || {};
  return html`
    <p><a href="/admin/users">Back to the users</a></p>
    <h1>Invite someone</h1>
    <p>They get a mail with a link to choose their own password; their account then has the role,
      countries and languages you choose here. The link works once and for a limited time: the list of users
      shows until when, and you can send it again.</p>
    <${ErrorSummary} problem=${problem} labels=${{ email: "Email", display_name: "Name", role: "Role",
      scope: "Countries and languages", language: "Language of the invitation" }} />
    <form onSubmit=${submit} novalidate>
      <${TextField} name="email" label="Email" type="email" autocomplete="off" value=${form.email}
        onInput=${(v) => set({ email: v })} error=${errors.email} />
      <${TextField} name="display_name" label="Name" hint="As others will see it. They can change it when they accept."
        value=${form.display_name} onInput=${(v) => set({ display_name: v })} error=${errors.display_name} />
      <${RoleAndScope} me=${me} form=${form} set=${set} errors=${errors} />
      <${Select} name="language" label="Language of the invitation"
        hint="The invitation is written in this language, and so are later mails about their account."
        value=${form.language} onChange=${(v) => set({ language: v })} error=${errors.language}
        options=${locales.map((l) => [l, languageName(l)])} />
      <div class="actions"><button type="submit" disabled=${busy}>Send invitation</button></div>
    </form>`;
}
