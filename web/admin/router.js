// @ts-check
// Which screen an address of the app shows. The administrators' and organisers'
// screens are fetched the first time they are shown, so they stay out of every
// editor's first load.

import { html, useEffect, useState } from "./vendor/htm-preact-standalone-3.1.1.js";
import { kindAt } from "./kinds.js";
import { TranslationBoard } from "./content/board.js";
import { ReviewQueue } from "./content/reviews.js";
import { ItemList } from "./content/list.js";
import { NewItem } from "./content/new-item.js";
import { History } from "./content/history.js";
import { ItemEditor } from "./content/editor/editor.js";
import { Media } from "./media/library.js";
import { MediaItem } from "./media/file.js";

/** @typedef {import("./api/session.js").Me} Me */
/** @typedef {import("./api/session.js").Permissions} Permissions */

export const BASE = "/admin";

/**
 * A screen whose module is fetched the first time it is shown.
 * @param {() => Promise<Record<string, any>>} load
 * @param {string} name the component the module exports
 */
export function later(load, name) {
  /** @type {{ screen?: any }} */
  const cache = {};
  /** @param {Record<string, unknown>} props */
  return function Later(props) {
    const [screen, setScreen] = useState(() => cache.screen || null);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (screen) return;
      load()
        .then((module) => {
          cache.screen = module[name];
          setScreen(() => module[name]);
        })
        .catch(() => setFailed(true));
    }, []);
    if (failed) return html`<p role="alert">This screen could not be loaded. Check the connection and reload the page.</p>`;
    return screen ? html`<${screen} ...${props} />` : html`<p role="status">Loading…</p>`;
  };
}

const UserList = later(() => import("./people/users.js"), "UserList");
const NewUser = later(() => import("./people/users.js"), "NewUser");
const Invite = later(() => import("./people/users.js"), "Invite");
const YourAccount = later(() => import("./people/account.js"), "YourAccount");
const UserScreen = later(() => import("./people/user.js"), "UserScreen");
const TokenList = later(() => import("./people/tokens.js"), "TokenList");
const NewToken = later(() => import("./people/tokens.js"), "NewToken");
const SiteList = later(() => import("./settings/sites.js"), "SiteList");
const SiteForm = later(() => import("./settings/sites.js"), "SiteForm");
const AuditLog = later(() => import("./audit/audit.js"), "AuditLog");
const WebhookList = later(() => import("./settings/webhooks.js"), "WebhookList");
const NewWebhook = later(() => import("./settings/webhooks.js"), "NewWebhook");
const WebhookScreen = later(() => import("./settings/webhooks.js"), "WebhookScreen");
const EventDesk = later(() => import("./events/desk.js"), "EventDesk");
const SignUps = later(() => import("./events/sign-ups.js"), "SignUps");

/**
 * The administrators' screens, each offered to those the API says may use it.
 * @type {{ path: string, label: string, may: (p: Permissions) => boolean }[]}
 */
export const ADMINISTRATION = [
  { path: "users", label: "Users", may: (p) => p.manage_users },
  { path: "tokens", label: "API tokens", may: (p) => p.manage_tokens },
  { path: "sites", label: "Sites", may: (p) => p.manage_sites },
  { path: "webhooks", label: "Webhooks", may: (p) => p.manage_webhooks },
  { path: "audit", label: "Audit log", may: (p) => p.read_audit },
];

/**
 * An administrator's screen for someone else: what it is and whom to ask.
 * @param {string} label
 */
function notAvailable(label) {
  document.title = "Not available – buysocial";
  return html`<h1>${label}: not available to you</h1>
    <p>This screen is for administrators. Ask one if you need something changed here.</p>
    <p><a href=${`${BASE}/board`}>Go to the translations</a></p>`;
}

/**
 * The screen at `path` (`/admin/news/<id>`), or null when there is none. Screens are
 * keyed by address: another kind or item starts a screen afresh.
 * @param {string} path
 * @param {Me} me
 * @param {() => void} reload asks the API again who is signed in (after a change to
 *   one's own account, or to rules that apply to it)
 * @param {(why: string) => void} signInAgain signs out (after asking, when something
 *   is unsaved) so that the person signs in again, told `why`, back on this screen
 */
export function route(path, me, reload, signInAgain) {
  // ["admin", area, id, more]
  const [, area, id, more] = path.split("?")[0].replace(/\/+$/, "").split("/").filter(Boolean);
  switch (area) {
    case "board":
      return html`<${TranslationBoard} me=${me} />`;
    case "account":
      return html`<${YourAccount} me=${me} reload=${reload} signInAgain=${signInAgain} />`;
    case "reviews":
      return html`<${ReviewQueue} me=${me} />`;
    case "event-desk":
      return id === undefined ? html`<${EventDesk} me=${me} />` : html`<${SignUps} key=${id} id=${id} />`;
    case "media":
      return id === undefined ? html`<${Media} me=${me} />` : html`<${MediaItem} key=${id} id=${id} me=${me} />`;
    default:
  }
  const administration = ADMINISTRATION.find((entry) => entry.path === area);
  if (administration && !administration.may(me.permissions)) return notAvailable(administration.label);
  switch (area) {
    case "users":
      if (id === undefined) return html`<${UserList} me=${me} reload=${reload} />`;
      if (id === "invite") return html`<${Invite} me=${me} />`;
      return id === "new" ? html`<${NewUser} me=${me} />` : html`<${UserScreen} key=${id} id=${id} me=${me} />`;
    case "tokens":
      return id === "new" ? html`<${NewToken} me=${me} />` : html`<${TokenList} me=${me} />`;
    case "sites":
      if (id === undefined) return html`<${SiteList} me=${me} />`;
      return id === "new" ? html`<${SiteForm} key="new" me=${me} />` : html`<${SiteForm} key=${id} code=${id} me=${me} />`;
    case "audit":
      return html`<${AuditLog} me=${me} />`;
    case "webhooks":
      if (id === undefined) return html`<${WebhookList} />`;
      return id === "new" ? html`<${NewWebhook} />` : html`<${WebhookScreen} key=${id} id=${id} />`;
    default:
  }
  const kind = kindAt(area);
  if (!kind) return null;
  if (id === undefined) return html`<${ItemList} key=${kind.path} kind=${kind} me=${me} />`;
  if (id === "new") return html`<${NewItem} key=${`${kind.path}-new`} kind=${kind} me=${me} />`;
  if (more === "history") return html`<${History} key=${`${id}-history`} kind=${kind} id=${id} me=${me} />`;
  return html`<${ItemEditor} key=${id} kind=${kind} id=${id} me=${me} />`;
}
