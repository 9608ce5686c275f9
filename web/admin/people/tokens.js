// @ts-check
// API tokens: for frontends (delivery), their previews, and automation (admin). The
// secret is shown once, with a copy button and a warning; the list shows last use and
// revokes.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { listSites } from "../api/sites.js";
import { createToken, listTokens, revokeToken } from "../api/tokens.js";
import { differs, useLeaveWarning } from "../navigation.js";
import { ErrorSummary, Radios, Select, TextField, when, Pager, submitting } from "../widgets/forms.js";
import { countriesText, localesText, roleName } from "../widgets/names.js";
import { SecretOnce } from "../widgets/secret.js";
import { RoleAndScope, scopeOf } from "./role-and-scope.js";

/** @typedef {import("../api/tokens.js").Token} Token */
/** @typedef {import("../api/tokens.js").TokenList} TokenList */
/** @typedef {import("../api/tokens.js").TokenKind} TokenKind */
/** @typedef {import("../api/tokens.js").CreatedToken} CreatedToken */
/** @typedef {import("../api/users.js").Role} Role */
/** @typedef {import("../api/sites.js").Site} Site */
/** @typedef {import("../api/session.js").Me} Me */
/** @typedef {import("../api/http.js").Problem} Problem */

const KINDS = [
  ["delivery", "Frontend", "reads published content through the delivery API"],
  ["preview", "Frontend preview", "reads drafts too, for a preview of the frontend"],
  ["admin", "Automation", "uses the admin API with a role and scope, like a person"],
];

/** @param {TokenKind} kind */
function kindName(kind) {
  return KINDS.find(([k]) => k === kind)?.[1] || kind;
}

/** @param {Token} token */
function stateOf(token) {
  if (token.revoked_at) return html`<span class="status missing">revoked</span>`;
  if (token.expires_at && new Date(token.expires_at) <= new Date()) return html`<span class="status draft">expired</span>`;
  return html`<span class="status live">active</span>`;
}

/** @param {Token} token */
function forWhat(token) {
  if (token.kind === "admin") {
    if (token.role === "admin") return "Admin: everything";
    return `${roleName(token.role)}: ${countriesText(token.scope.countries)}; ${localesText(token.scope.locales)}`;
  }
  if (token.preview_of) return `preview link (${token.preview_of.locale.toUpperCase()})`;
  return token.site ? `site ${token.site}` : "any site";
}

export function TokenList() {
  const [result, setResult] = useState(/** @type {TokenList | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [page, setPage] = useState(1);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    document.title = "API tokens – buysocial";
  }, []);
  useEffect(() => {
    listTokens({ page, per_page: 50 }).then(setResult).catch(setProblem);
  }, [page, reload]);

  /** @param {Token} token */
  const revoke = async (token) => {
    if (!window.confirm(`Revoke “${token.name}”? Whatever uses it is refused from its next request on. This cannot be undone.`)) return;
    try {
      await revokeToken(token.id);
      setReload(reload + 1);
    } catch (error) {
      setProblem(error);
    }
  };
  return html`
    <div class="page-head">
      <h1>API tokens</h1>
      <a class="button" href="/admin/tokens/new">New token</a>
    </div>
    <p class="hint">Frontends, their previews and scripts sign their requests with a token. Each secret is shown once, when it is created.</p>
    <${ErrorSummary} problem=${problem} />
    ${!result && !problem && html`<p role="status">Loading…</p>`}
    ${result && result.items.length === 0 && html`<p>No tokens yet. Create one for each frontend.</p>`}
    ${result && result.items.length > 0 && html`
      <table class="responsive">
        <caption class="visually-hidden">API tokens, ${result.page.total} in all</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">For</th><th scope="col">Created</th>
          <th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${result.items.map((token) => html`<tr>
          <td data-label="Name">${token.name}<br /><span class="hint">starts ${token.hint}…</span></td>
          <td data-label="Kind">${kindName(token.kind)}</td>
          <td data-label="For">${forWhat(token)}</td>
          <td data-label="Created">${when(token.created_at)}${token.creator_left && html`<br /><span class="hint">by someone who has left</span>`}</td>
          <td data-label="Expires">${token.expires_at ? when(token.expires_at) : "never"}</td>
          <td data-label="Last used">${token.last_used_at ? when(token.last_used_at) : "not yet"}</td>
          <td data-label="State">${stateOf(token)}</td>
          <td>${!token.revoked_at && html`<button type="button" class="secondary"
            aria-label=${`Revoke ${token.name}`} onClick=${() => revoke(token)}>Revoke</button>`}</td>
        </tr>`)}</tbody>
      </table>
      <${Pager} page=${page} of=${result.page} onPage=${setPage} />`}`;
}

/** @type {{ name: string, kind: TokenKind, site: string, role: Role, countries: string[], locales: string[], expires: string }} */
const NO_TOKEN = { name: "", kind: "delivery", site: "", role: "viewer", countries: [], locales: [], expires: "" };

/** @param {{ me: Me }} props */
export function NewToken({ me }) {
  const [form, setForm] = useState(NO_TOKEN);
  const [sites, setSites] = useState(/** @type {Site[]} */ ([]));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [created, setCreated] = useState(/** @type {CreatedToken | null} */ (null));
  useLeaveWarning(!created && differs(form, NO_TOKEN), "This new token is not created yet. Leave and lose what you typed?");
  const [busy, setBusy] = useState(false);
  const set = (change) => setForm({ ...form, ...change });
  useEffect(() => {
    document.title = "New API token – buysocial";
    listSites().then((list) => setSites(list.items)).catch(setProblem);
  }, []);
  if (created) {
    return html`<h1>New API token</h1>
      <${SecretOnce} label=${`Secret of “${created.token.name}”`} secret=${created.secret}
        use="Send it as Authorization: Bearer … with each request." back="/admin/tokens" backText="Back to the tokens" />`;
  }

  const admin = form.kind === "admin";
  const submit = submitting(setProblem, async () => {
    setCreated(await createToken({
      name: form.name.trim(),
      kind: form.kind,
      site: !admin && form.site ? form.site : null,
      role: admin ? form.role : null,
      scope: admin ? scopeOf(form) : null,
      // The end of the chosen day, in the browser's time zone.
      expires_at: form.expires ? new Date(`${form.expires}T23:59:59`).toISOString() : null,
    }));
  }, setBusy);
  const errors = problem?.fields || {};
  return html`
    <p><a href="/admin/tokens">Back to the tokens</a></p>
    <h1>New API token</h1>
    <${ErrorSummary} problem=${problem} labels=${{ name: "Name", site: "Site", expires_at: "Expires on", role: "Role", scope: "Countries and languages" }} />
    <form onSubmit=${submit} novalidate>
      <${TextField} name="name" label="Name" hint="What uses it, e.g. “Belgian frontend (production)”."
        value=${form.name} onInput=${(v) => set({ name: v })} error=${errors.name} />
      <${Radios} name="kind" legend="What it is for" value=${form.kind} onChange=${(v) => set({ kind: v })}
        error=${errors.kind} options=${KINDS} />
      ${form.kind !== "admin" && html`<${Select} name="site" label="Site" hint="A token for one site reads only that site."
        value=${form.site} onChange=${(v) => set({ site: v })} error=${errors.site}
        options=${[["", "Any site"], ...sites.map((s) => [s.code, `${s.name} (${s.code})`])]} />`}
      ${form.kind === "admin" && html`<${RoleAndScope} me=${me} form=${form} set=${set} errors=${errors} />`}
      <${TextField} name="expires_at" label="Expires on" type="date" hint="Leave empty for a token that does not expire."
        value=${form.expires} onInput=${(v) => set({ expires: v })} error=${errors.expires_at} />
      <div class="actions"><button type="submit" disabled=${busy}>Create token</button></div>
    </form>`;
}
