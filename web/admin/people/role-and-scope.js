// @ts-check
// A role and a scope (countries as EU member states, languages as configured, "all"
// made explicit), as the new-user form, the user screen and automation tokens ask them.

import { html } from "../vendor/htm-preact-standalone-3.1.1.js";
import { Radios, ScopePicker } from "../widgets/forms.js";
import { ROLES, countryName, languageName } from "../widgets/names.js";

/** @typedef {import("../api/session.js").Me} Me */
/** @typedef {import("../api/users.js").Role} Role */
/** @typedef {{ role: Role, countries: string[], locales: string[] }} RoleForm */

/**
 * The scope to send for a form: none for an admin, who works everywhere (the API refuses one).
 * @param {RoleForm} form
 */
export function scopeOf(form) {
  return form.role === "admin" ? { countries: [], locales: [] } : { countries: form.countries, locales: form.locales };
}

/**
 * Role and scope, as the new-user form, the user screen and admin tokens ask them.
 * @param {{ me: Me, form: RoleForm, set: (change: Partial<RoleForm>) => void, errors?: Record<string, string> }} props
 */
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
