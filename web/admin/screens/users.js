// People and what they may do: the list with filters, and a new account with its role
// and scope (countries as EU member states, languages as configured, "all" explicit).

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { get, post } from "../api.js";
import { differs, navigate, useLeaveWarning } from "../navigation.js";
import { Checkboxes, ErrorSummary, Radios, ScopePicker, Select, TextField, when, Pager, incompleteChoices } from "./forms.js";
import { ROLES, countriesText, countryName, languageName, localesText, roleName } from "./names.js";

export function UserList({ me }) {
  const [role, setRole] = useState("");
  const [country, setCountry] = useState("");
  const [query, setQuery] = useState({ role: "", country: "" });
  const [page, setPage] = useState(1);
  const [result, setResult] = useState(null);
  const [problem, setProblem] = useState(null);

  useEffect(() => {
    document.title = "Users – buysocial";
  }, []);
  useEffect(() => {
    const search = new URLSearchParams({ page: String(page), per_page: "50" });
    if (query.role) search.set("role", query.role);
    if (query.country) search.set("country", query.country);
    get(`/api/v1/admin/users?${search}`).then(({ data }) => setResult(data)).catch(setProblem);
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

/** The scope to send for a form: none for an admin, who works everywhere (the API refuses one). */
export function scopeOf(form) {
  return form.role === "admin" ? { countries: [], locales: [] } : { countries: form.countries, locales: form.locales };
}

/** Role and scope, as the new-user form, the user screen and admin tokens ask them. */
export function RoleAndScope({ me, form, set, errors = {} }) {
  const role = html`<${Radios} name="role" legend="Role" value=${form.role} onChange=${(v) => set({ role: v })}
      error=${errors.role} options=${ROLES} />`;
  if (form.role === "admin") {
    return html`${role}
      <p class="hint" id="scope-admin">An admin works in every country and language: there is no scope to choose.</p>
      ${errors.scope && html`<p class="error-message" id="scope-error">${errors.scope}</p>`}`;
  }
  return html`
    ${role}
    <${ScopePicker} name="scope.countries" legend="Countries they work on" allText="All countries (EU-wide)"
      someText="Only these countries" value=${form.countries} onChange=${(v) => set({ countries: v })}
      error=${errors["scope.countries"]} options=${me.permissions.countries.map((c) => [c, countryName(c)])} />
    <${ScopePicker} name="scope.locales" legend="Languages they write" allText="All languages"
      someText="Only these languages" value=${form.locales} onChange=${(v) => set({ locales: v })}
      error=${errors["scope.locales"]} options=${me.permissions.locales.map((l) => [l, languageName(l)])} />`;
}

const NO_USER = { email: "", display_name: "", role: "editor", countries: [], locales: [], password: "", must_change: ["yes"] };

export function NewUser({ me }) {
  const [form, setForm] = useState(NO_USER);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  useLeaveWarning(differs(form, NO_USER), "This new user is not created yet. Leave and lose what you typed?");
  const set = (change) => setForm({ ...form, ...change });
  useEffect(() => {
    document.title = "New user – buysocial";
  }, []);

  const submit = async (event) => {
    event.preventDefault();
    const incomplete = incompleteChoices();
    if (incomplete) {
      setProblem(incomplete);
      return;
    }
    setBusy(true);
    try {
      const { data } = await post("/api/v1/admin/users", {
        email: form.email.trim(),
        display_name: form.display_name.trim() || null,
        role: form.role,
        scope: scopeOf(form),
        password: form.password,
        must_change_password: form.must_change.includes("yes"),
      });
      navigate(`/admin/users/${data.id}?created=1`, { replace: true, asking: false });
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  };
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
