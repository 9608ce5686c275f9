// @ts-check
// The audit log, readable by a person: who (name, role, countries, as they were then),
// what they did, to which item and language, from where, and whether it was allowed.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { listAudit } from "../api/audit.js";
import { listUsers } from "../api/users.js";
import { pathOf } from "../kinds.js";
import { ErrorSummary, Select, TextField, when, Pager } from "../widgets/forms.js";
import { countriesText, languageName, roleName } from "../widgets/names.js";

/** @typedef {import("../api/audit.js").AuditEntry} AuditEntry */
/** @typedef {import("../api/audit.js").AuditList} AuditList */
/** @typedef {import("../api/audit.js").AuditQuery} AuditQuery */
/** @typedef {import("../api/users.js").User} User */
/** @typedef {import("../api/session.js").Me} Me */
/** @typedef {import("../api/http.js").Problem} Problem */


/** Each action in words; `the` is what it was done to. */
const ACTIONS = {
  "auth.login": ["Signed in", () => ""],
  "auth.logout": ["Signed out", () => ""],
  "auth.password_change": ["Changed their own password", () => ""],
  "auth.password_reset_request": ["Asked for a link to choose a new password", () => ""],
  "auth.password_reset": ["Chose a new password through a mailed link", () => ""],
  "auth.totp_enable": ["Turned on two-factor sign-in", () => ""],
  "auth.totp_disable": ["Turned off two-factor sign-in", () => ""],
  "auth.recovery_codes": ["Made new recovery codes for two-factor sign-in", () => ""],
  "invitation.create": ["Invited", (e) => e.details.role ? `${e.details.email} as ${roleName(e.details.role)}` : e.details.email],
  "invitation.resend": ["Sent the invitation again to", (e) => e.details.email],
  "invitation.withdraw": ["Withdrew the invitation to", (e) => e.details.email],
  "invitation.accept": ["Accepted an invitation and made their account", () => ""],
  "user.create": ["Created the user", (e) => e.resource_label],
  "user.update": ["Changed the user", (e) => e.resource_label],
  "user.delete": ["Deleted the user", (e) => e.details.email],
  "user.totp_reset": ["Reset the two-factor sign-in of", (e) => e.resource_label],
  "account_policy.update": ["Required two-factor sign-in for",
    (e) => (e.details.two_factor_roles || []).map((r) => `${roleName(r)}s`).join(", ") || "nobody"],
  "token.create": ["Created the API token", (e) => e.resource_label],
  "token.revoke": ["Revoked the API token", (e) => e.resource_label],
  "site.create": ["Created the site", (e) => e.resource_id],
  "site.update": ["Changed the site", (e) => e.resource_id],
  "site.delete": ["Deleted the site", (e) => e.resource_id],
  "content.create": ["Created", null],
  "content.update": ["Changed the details of", null],
  "content.draft": ["Saved a draft of", null],
  "content.publish": ["Published", null],
  "content.unpublish": ["Unpublished", null],
  "content.schedule_publish": ["Scheduled publishing of", null],
  "content.schedule_unpublish": ["Scheduled unpublishing of", null],
  "content.trash": ["Moved to the trash", null],
  "content.restore": ["Restored from the trash", null],
  "content.purge": ["Deleted for good", null],
  "content.drop_translation": ["Dropped a translation of", null],
  "content.restore_revision": ["Restored an earlier version of", null],
  "content.up_to_date": ["Marked as up to date with the source", null],
  "content.review_request": ["Asked for a review of", null],
  "content.review_publish": ["Published after review", null],
  "content.review_return": ["Sent back for changes", null],
  "preview_link.create": ["Created a preview link for", null],
  "asset.upload": ["Uploaded the file", (e) => e.resource_label],
  "asset.update": ["Changed the file", (e) => e.resource_label],
  "asset.replace": ["Replaced the file", (e) => e.resource_label],
  "asset.delete": ["Deleted a file", (e) => e.details.file_name || ""],
  "webhook.create": ["Created the webhook", (e) => e.resource_label],
  "webhook.update": ["Changed the webhook", (e) => e.resource_label],
  "webhook.delete": ["Deleted the webhook", (e) => e.details.url],
  "webhook.ping": ["Sent a test ping to the webhook", (e) => e.resource_label],
  "webhook.redeliver": ["Sent a delivery again to the webhook", (e) => e.resource_label],
  "registration.read": ["Read the sign-ups of", null],
  "registration.erase": ["Erased one person's sign-up for", null],
  "registration.cancel": ["Cancelled their sign-up for", null],
  "registration.retention": ["Deleted the sign-ups, kept long enough, of", null],
  "permission.denied": ["Was refused", (e) => e.details.reason || e.details.permission],
};

const OUTCOMES = { success: ["Allowed", "live"], denied: ["Refused", "missing"], failure: ["Failed", "missing"] };

const RESOURCES = [["", "Anything"], ["page", "Pages"], ["news", "News"], ["event", "Events"], ["material", "Materials"],
  ["registration", "Sign-ups"], ["asset", "Files"], ["user", "Users"], ["invitation", "Invitations"], ["account_policy", "Two-factor sign-in rules"], ["token", "API tokens"], ["site", "Sites"], ["webhook", "Webhooks"],
  ["session", "Sign-ins"], ["schedule", "Scheduled publishing"]];

/** @param {{ entry: AuditEntry }} props */
function What({ entry }) {
  const [words, target] = ACTIONS[entry.action] || [entry.action, null];
  const item = entry.item;
  const named = target ? target(entry) : "";
  return html`${words}${named ? html` <strong>${named}</strong>` : ""}
    ${item && html` <a href=${`/admin/${pathOf(item.kind)}/${item.id}`}>${item.title ? `“${item.title}”` : `a ${item.kind} now deleted`}</a>`}
    ${entry.locale && html` <span class="status">${languageName(entry.locale)}</span>`}
    ${item && html`<br /><a class="hint" href=${`/admin/audit?item=${item.id}`}
      aria-label=${`Everything recorded about ${item.title ? `“${item.title}”` : `this ${item.kind}`}`}>Everything about it</a>`}`;
}

/** @param {{ entry: AuditEntry }} props */
function Who({ entry }) {
  if (entry.actor_kind === "anonymous") return html`Someone signing in as ${entry.actor_label}`;
  if (entry.actor_kind === "schedule") return html`Scheduled publishing`;
  if (entry.actor_kind === "person") return html`A person who signed up<br /><span class="hint">through a link mailed to them</span>`;
  if (entry.actor_kind === "system") return html`buysocial<br /><span class="hint">${entry.actor_label}</span>`;
  const name = entry.actor_name || entry.actor_label;
  const standing = entry.actor_role
    ? `${roleName(entry.actor_role)}, ${countriesText(entry.actor_countries)}`
    : entry.actor_kind === "token" ? "API token" : "";
  return html`<strong>${name}</strong>${standing && html` (${standing})`}
    ${entry.actor_label !== name && html`<br /><span class="hint">${entry.actor_label}</span>`}`;
}

/** How the item a filtered log shows is named: its title when an entry carries it. */
function itemNamed(result, id) {
  const entry = result?.items.find((e) => e.item?.id === id);
  if (!entry) return "one item";
  return entry.item.title ? `“${entry.item.title}”` : `a ${entry.item.kind} now deleted`;
}

function dayStart(value) {
  return value ? new Date(`${value}T00:00:00`).toISOString() : null;
}

/** The filters an address of the log names (`?item=…&locale=…`), the rest empty. */
function filtersOf(search) {
  const named = new URLSearchParams(search);
  return { actor: "", action: "", resource: "", from: "", to: "", item: named.get("item") || "", locale: named.get("locale") || "" };
}

/** @param {{ me: Me }} props */
export function AuditLog({ me }) {
  const [users, setUsers] = useState(/** @type {User[]} */ ([]));
  const [filters, setFilters] = useState(() => filtersOf(window.location.search));
  const [query, setQuery] = useState(filters);
  const [page, setPage] = useState(1);
  const [result, setResult] = useState(/** @type {AuditList | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const set = (change) => setFilters({ ...filters, ...change });

  useEffect(() => {
    document.title = "Audit log – buysocial";
    listUsers({ per_page: 100 }).then((list) => setUsers(list.items)).catch(setProblem);
  }, []);
  useEffect(() => {
    /** @type {AuditQuery} */
    const search = {
      page, per_page: 50, actor: query.actor, action: query.action, resource: query.resource, item: query.item,
      locale: query.locale, from: dayStart(query.from),
      // "To" includes the whole day chosen.
      to: query.to ? new Date(new Date(`${query.to}T00:00:00`).getTime() + 86400000).toISOString() : undefined,
    };
    setResult(null);
    listAudit(search).then((data) => {
      setProblem(null);
      setResult(data);
    }).catch(setProblem);
  }, [query, page]);

  return html`
    <h1>Audit log</h1>
    <p class="hint">Every change, sign-in and refusal, newest first. It cannot be edited.</p>
    <${ErrorSummary} problem=${problem} labels=${{ from: "From", to: "To" }} />
    <form class="filters" role="search" aria-label="Filter the audit log" onSubmit=${(e) => {
      e.preventDefault();
      setPage(1);
      setQuery(filters);
    }}>
      <${Select} name="actor" label="Who" value=${filters.actor} onChange=${(v) => set({ actor: v })}
        options=${[["", "Anyone"], ...users.map((u) => [u.id, `${u.display_name} (${u.email})`])]} />
      <${Select} name="action" label="What" value=${filters.action} onChange=${(v) => set({ action: v })}
        options=${[["", "Any action"], ...Object.entries(ACTIONS).map(([a, [words]]) => [a, words])]} />
      <${Select} name="resource" label="Concerning" value=${filters.resource} onChange=${(v) => set({ resource: v })}
        options=${RESOURCES} />
      <${TextField} name="from" label="From" type="date" value=${filters.from} onInput=${(v) => set({ from: v })} />
      <${TextField} name="to" label="To" type="date" value=${filters.to} onInput=${(v) => set({ to: v })} />
      <${Select} name="locale" label="Language" value=${filters.locale} onChange=${(v) => set({ locale: v })}
        options=${[["", "Any language"], ...me.permissions.locales.map((l) => [l, languageName(l)])]} />
      <button type="submit" class="secondary">Apply filters</button>
    </form>
    ${query.item && html`<p role="status">Only what concerns ${itemNamed(result, query.item)}.${" "}
      <button type="button" class="secondary" onClick=${() => { set({ item: "" }); setPage(1); setQuery({ ...query, item: "" }); }}>Show every item</button></p>`}
    ${!result && !problem && html`<p role="status">Loading…</p>`}
    ${result && result.items.length === 0 && html`<p>Nothing recorded matches these filters.</p>`}
    ${result && result.items.length > 0 && html`
      <table class="responsive audit">
        <caption class="visually-hidden">Audit entries, ${result.page.total} in all</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th>
          <th scope="col">From where</th><th scope="col">Allowed</th></tr></thead>
        <tbody>${result.items.map((entry) => {
          const [outcome, css] = OUTCOMES[entry.outcome] || [entry.outcome, ""];
          return html`<tr>
            <td data-label="When">${when(entry.at)}</td>
            <td data-label="Who"><${Who} entry=${entry} /></td>
            <td data-label="What"><${What} entry=${entry} /></td>
            <td data-label="From where">${entry.client_addr || "unknown"}</td>
            <td data-label="Allowed"><span class=${`status ${css}`}>${outcome}</span></td>
          </tr>`;
        })}</tbody>
      </table>
      <${Pager} page=${page} of=${result.page} onPage=${setPage} />`}`;
}
