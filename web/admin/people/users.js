// @ts-check
// People and what they may do: the list with filters, and a new account with its role
// and scope (countries as EU member states, languages as configured, "all" explicit).

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { createUser, listUsers } from "../api/users.js";
import { differs, navigate, useLeaveWarning } from "../navigation.js";
import { Checkboxes, ErrorSummary, Select, TextField, when, Pager, submitting } from "../widgets/forms.js";
import { ROLES, countriesText, countryName, localesText, roleName } from "../widgets/names.js";
import { RoleAndScope, scopeOf } from "./role-and-scope.js";

/** @typedef {import("../api/users.js").UserList} UserList */
/** @typedef {import("../api/users.js").UserQuery} UserQuery */
/** @typedef {import("../api/users.js").Role} Role */
/** @typedef {import("../api/session.js").Me} Me */
/** @typedef {import("../api/http.js").Problem} Problem */

/** @param {{ me: Me }} props */
export function UserList({ me }) {
  const [role, setRole] = useState("");
  const [country, setCountry] = useState("");
  const [query, setQuery] = useState({ role: "", country: "" });
  const [page, setPage] = useState(1);
  const [result, setResult] = useState(/** @type {UserList | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));

  useEffect(() => {
    document.title = "Users – buysocial";
  }, []);
  useEffect(() => {
    const role = /** @type {UserQuery["role"]} */ (query.role || undefined);
    listUsers({ page, per_page: 50, role, country: query.country }).then(setResult).catch(setProblem);
  }, [query, page]);

  return html`
    <div class="page-head">
      <h1>Users</h1>
      <a class="button" href="/admin/users/new">New user</a>
    </div>
    <${ErrorSummary} problem=${problem} />
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
          <th scope="col">Languages</th><th scope="col">State</th></tr></thead>
        <tbody>${result.items.map((user) => html`<tr>
          <td data-label="Name" class="long"><a href=${`/admin/users/${user.id}`}>${user.display_name}</a><br />${user.email}</td>
          <td data-label="Role">${roleName(user.role)}</td>
          <td data-label="Countries">${countriesText(user.scope.countries)}</td>
          <td data-label="Languages">${localesText(user.scope.locales)}</td>
          <td data-label="State">${user.disabled ? html`<span class="status missing">disabled</span>`
            : user.must_change_password ? html`<span class="status draft">must choose a password</span>`
            : html`<span class="status live">active</span>`}<br /><span class="hint">since ${when(user.created_at)}</span></td>
        </tr>`)}</tbody>
      </table>
      <${Pager} page=${page} of=${result.page} onPage=${setPage} />`}`;
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
    document.title = "New user – buysocial";
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
    <h1>New user</h1>
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
