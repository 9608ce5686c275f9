// The editors' app: who is signed in, which screen the address names, and the frame
// around it. Screens are modules under screens/; they render from API data only, and
// what the user may do comes from the API (`permissions`), never from rules here.

import { html, render, useEffect, useRef, useState } from "./vendor/htm-preact-standalone-3.1.1.js";
import { endSession, get, hasSession, post, whenSignedOut } from "./api.js";
import { mayLeave, navigate } from "./navigation.js";
import { KINDS } from "./kinds.js";
import { SignIn } from "./screens/signin.js";
import { ChangePassword } from "./screens/password.js";
import { ItemList } from "./screens/list.js";
import { ItemEditor } from "./screens/editor.js";
import { NewItem } from "./screens/new-item.js";
import { Media } from "./screens/media.js";
import { MediaItem } from "./screens/media-item.js";
import { History } from "./screens/history.js";
import { TranslationBoard } from "./screens/board.js";
import { ReviewQueue } from "./screens/reviews.js";

/**
 * A screen whose module is fetched the first time it is shown: the administrators'
 * and organisers' screens stay out of every editor's first load.
 */
function later(load, name) {
  const cache = {};
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

const UserList = later(() => import("./screens/users.js"), "UserList");
const NewUser = later(() => import("./screens/users.js"), "NewUser");
const UserScreen = later(() => import("./screens/user.js"), "UserScreen");
const TokenList = later(() => import("./screens/tokens.js"), "TokenList");
const NewToken = later(() => import("./screens/tokens.js"), "NewToken");
const SiteList = later(() => import("./screens/sites.js"), "SiteList");
const SiteForm = later(() => import("./screens/sites.js"), "SiteForm");
const AuditLog = later(() => import("./screens/audit.js"), "AuditLog");
const WebhookList = later(() => import("./screens/webhooks.js"), "WebhookList");
const NewWebhook = later(() => import("./screens/webhooks.js"), "NewWebhook");
const WebhookScreen = later(() => import("./screens/webhooks.js"), "WebhookScreen");
const EventDesk = later(() => import("./screens/event-desk.js"), "EventDesk");
const SignUps = later(() => import("./screens/sign-ups.js"), "SignUps");


const BASE = "/admin";

function useLocation() {
  const [location, setLocation] = useState(window.location.pathname + window.location.search);
  const shown = useRef(location);
  useEffect(() => {
    const update = (event) => {
      const next = window.location.pathname + window.location.search;
      // The browser's Back and Forward buttons ask first too: declined, the address
      // goes back to the screen still shown.
      if (event.type === "popstate" && next !== shown.current && !mayLeave()) {
        history.pushState(null, "", shown.current);
        return;
      }
      shown.current = next;
      setLocation(next);
    };
    window.addEventListener("popstate", update);
    window.addEventListener("buysocial:navigate", update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener("buysocial:navigate", update);
    };
  }, []);
  return location;
}

/** Links inside the app change the screen without a reload. */
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const href = link.getAttribute("href");
  if (!href.startsWith(`${BASE}/`) || link.target) return;
  event.preventDefault();
  navigate(href);
});

/** The administrators' screens, each offered to those the API says may use it. */
const ADMINISTRATION = [
  { path: "users", label: "Users", may: (p) => p.manage_users },
  { path: "tokens", label: "API tokens", may: (p) => p.manage_tokens },
  { path: "sites", label: "Sites", may: (p) => p.manage_sites },
  { path: "webhooks", label: "Webhooks", may: (p) => p.manage_webhooks },
  { path: "audit", label: "Audit log", may: (p) => p.read_audit },
];

/** A disclosure menu: a button that shows or hides a list of links. */
function AdministrationMenu({ me, path }) {
  const [open, setOpen] = useState(false);
  const entries = ADMINISTRATION.filter((entry) => entry.may(me.permissions));
  useEffect(() => setOpen(false), [path]);
  useEffect(() => {
    if (!open) return undefined;
    const close = (event) => {
      if (event.key === "Escape") setOpen(false);
    };
    document.addEventListener("keydown", close);
    return () => document.removeEventListener("keydown", close);
  }, [open]);
  if (entries.length === 0) return null;
  const current = entries.some((entry) => path.startsWith(`${BASE}/${entry.path}`));
  return html`<div class="menu">
    <button type="button" class="link" aria-expanded=${open ? "true" : "false"} aria-controls="administration-menu"
      onClick=${() => setOpen(!open)}>${current ? html`<strong>Administration</strong>` : "Administration"} <span aria-hidden="true">▾</span></button>
    <ul id="administration-menu" hidden=${!open}>
      ${entries.map((entry) => html`<li><a href=${`${BASE}/${entry.path}`}
        aria-current=${path.startsWith(`${BASE}/${entry.path}`) ? "page" : undefined}>${entry.label}</a></li>`)}
    </ul>
  </div>`;
}

function TopBar({ me, path, onSignOut }) {
  const user = me.user;
  // On a phone the links fold into a menu, opened by a button and closed on arrival.
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [path]);
  return html`
    <header class="topbar">
      <nav aria-label="Main">
        <span class="brand">buysocial</span>
        <button type="button" class="link menu-toggle" aria-expanded=${open ? "true" : "false"} aria-controls="main-links"
          onClick=${() => setOpen(!open)}>Menu <span aria-hidden="true">${open ? "▴" : "▾"}</span></button>
        <div id="main-links" class=${open ? "links open" : "links"}>
        <a href=${`${BASE}/board`} aria-current=${path.startsWith(`${BASE}/board`) ? "page" : undefined}>Translations</a>
        ${KINDS.map(
          (kind) => html`<a href=${`${BASE}/${kind.path}`}
            aria-current=${path.startsWith(`${BASE}/${kind.path}`) ? "page" : undefined}>${kind.label}</a>`,
        )}
        <a href=${`${BASE}/media`} aria-current=${path.startsWith(`${BASE}/media`) ? "page" : undefined}>Media</a>
        ${me.permissions.publish && html`<a href=${`${BASE}/reviews`} aria-current=${path.startsWith(`${BASE}/reviews`) ? "page" : undefined}>Reviews</a>`}
        ${me.permissions.read_registrations && html`<a href=${`${BASE}/event-desk`} aria-current=${path.startsWith(`${BASE}/event-desk`) ? "page" : undefined}>Event desk</a>`}
        <${AdministrationMenu} me=${me} path=${path} />
        </div>
        <span class="you">
          <span>${user.display_name || user.email} (${user.role})</span>
          <button type="button" class="link" onClick=${onSignOut}>Sign out</button>
        </span>
      </nav>
    </header>`;
}

function route(path, me) {
  const parts = path.split("?")[0].replace(/\/+$/, "").split("/").filter(Boolean);
  // ["admin", kind, id]
  if (parts[1] === "board") return html`<${TranslationBoard} me=${me} />`;
  if (parts[1] === "reviews") return html`<${ReviewQueue} me=${me} />`;
  if (parts[1] === "event-desk") {
    return parts.length === 2 ? html`<${EventDesk} me=${me} />` : html`<${SignUps} key=${parts[2]} id=${parts[2]} />`;
  }
  const administration = ADMINISTRATION.find((entry) => entry.path === parts[1]);
  if (administration && !administration.may(me.permissions)) {
    document.title = "Not available – buysocial";
    return html`<h1>${administration.label}: not available to you</h1>
      <p>This screen is for administrators. Ask one if you need something changed here.</p>
      <p><a href=${`${BASE}/board`}>Go to the translations</a></p>`;
  }
  if (parts[1] === "users") {
    if (parts.length === 2) return html`<${UserList} me=${me} />`;
    return parts[2] === "new" ? html`<${NewUser} me=${me} />` : html`<${UserScreen} key=${parts[2]} id=${parts[2]} me=${me} />`;
  }
  if (parts[1] === "tokens") return parts[2] === "new" ? html`<${NewToken} me=${me} />` : html`<${TokenList} me=${me} />`;
  if (parts[1] === "sites") {
    if (parts.length === 2) return html`<${SiteList} me=${me} />`;
    return parts[2] === "new" ? html`<${SiteForm} key="new" me=${me} />` : html`<${SiteForm} key=${parts[2]} code=${parts[2]} me=${me} />`;
  }
  if (parts[1] === "audit") return html`<${AuditLog} me=${me} />`;
  if (parts[1] === "webhooks") {
    if (parts.length === 2) return html`<${WebhookList} />`;
    return parts[2] === "new" ? html`<${NewWebhook} />` : html`<${WebhookScreen} key=${parts[2]} id=${parts[2]} />`;
  }
  if (parts[1] === "media") {
    return parts.length === 2 ? html`<${Media} me=${me} />` : html`<${MediaItem} key=${parts[2]} id=${parts[2]} me=${me} />`;
  }
  const kind = KINDS.find((k) => k.path === parts[1]);
  if (!kind) return null;
  // Keyed by address: another kind or item starts a screen afresh.
  if (parts.length === 2) return html`<${ItemList} key=${kind.path} kind=${kind} me=${me} />`;
  if (parts[2] === "new") return html`<${NewItem} key=${`${kind.path}-new`} kind=${kind} me=${me} />`;
  if (parts[3] === "history") return html`<${History} key=${`${parts[2]}-history`} kind=${kind} id=${parts[2]} me=${me} />`;
  return html`<${ItemEditor} key=${parts[2]} kind=${kind} id=${parts[2]} me=${me} />`;
}

function App() {
  const location = useLocation();
  const path = location.split("?")[0];
  const [me, setMe] = useState(null);
  const [signedOut, setSignedOut] = useState(!hasSession());
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    whenSignedOut(() => {
      setMe(null);
      setExpired(true);
      setSignedOut(true);
    });
  }, []);

  useEffect(() => {
    if (signedOut || me) return;
    get("/api/v1/auth/me")
      .then(({ data }) => setMe(data))
      .catch(() => setSignedOut(true));
  }, [signedOut, me]);

  useEffect(() => {
    if (!signedOut && me && (path === BASE || path === `${BASE}/` || path === `${BASE}/sign-in`)) {
      navigate(`${BASE}/board`, { replace: true });
    }
  }, [signedOut, me, path]);

  // After moving to another screen, focus goes to its heading, for keyboard and
  // screen-reader users (the link they used is gone). A screen fetched on first use
  // shows its heading a moment later, so this looks again for a little while.
  useEffect(() => {
    let tries = 0;
    let timer;
    const look = () => {
      const heading = document.querySelector("main h1");
      if (heading && !document.activeElement?.closest("main")) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      } else if (!heading && tries < 40) {
        tries += 1;
        timer = setTimeout(look, 50);
      }
    };
    timer = setTimeout(look, 0);
    return () => clearTimeout(timer);
  }, [path]);

  const signIn = () => {
    setExpired(false);
    setMe(null);
    setSignedOut(false);
  };
  const signOut = async () => {
    // Unsaved copies of translations stay on this computer for a reload or an expired
    // session, not for whoever uses it next: signing out removes them, after asking.
    const prefix = `buysocial.unsaved.${me?.user?.id ?? "token"}.`;
    const unsaved = Object.keys(localStorage).filter((key) => key.startsWith(prefix));
    if (unsaved.length > 0 && !window.confirm(
      `You have unsaved changes in ${unsaved.length === 1 ? "1 translation" : `${unsaved.length} translations`}. ` +
      "Sign out and discard them? They are kept on this computer only until you sign out.")) return;
    for (const key of unsaved) localStorage.removeItem(key);
    try {
      await post("/api/v1/auth/logout");
    } catch {
      // Signed out here whatever the server says.
    }
    endSession();
    setMe(null);
    setSignedOut(true);
  };

  if (signedOut) {
    document.title = "Sign in – buysocial";
    return html`<main id="main"><${SignIn} expired=${expired} onSignedIn=${signIn} /></main>`;
  }
  if (!me) return html`<p class="loading" role="status">Loading…</p>`;
  if (me.user && me.user.must_change_password) {
    document.title = "Change your password – buysocial";
    return html`<main id="main"><${ChangePassword} me=${me} onChanged=${() => setMe(null)} /></main>`;
  }
  const screen = route(path, me);
  return html`
    <${TopBar} me=${me} path=${path} onSignOut=${signOut} />
    <main id="main">
      ${screen || html`<h1>Page not found</h1><p><a href=${`${BASE}/news`}>Go to the news</a></p>`}
    </main>`;
}

const root = document.getElementById("app");
root.textContent = "";
render(html`<${App} />`, root);
