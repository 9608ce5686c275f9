// @ts-check
// The editors' app: who is signed in, the top bar, and the frame around the screen the
// address names (router.js). Screens render from API data only, and what the user may
// do comes from the API (`permissions`), never from rules here.

import { html, render, useEffect, useRef, useState } from "./vendor/htm-preact-standalone-3.1.1.js";
import { hasSession, mustSetUpTwoFactor, signOut, takeSignOnAnswer, userOf, whenRefused, whenSignedOut, whoAmI } from "./api/session.js";
import { mayLeave, navigate } from "./navigation.js";
import { KINDS } from "./kinds.js";
import { ADMINISTRATION, BASE, later, route } from "./router.js";
import { keptCopies } from "./widgets/kept-copies.js";
import { SignIn } from "./people/sign-in.js";
import { ChangePassword } from "./people/password.js";

/** @typedef {import("./api/session.js").Me} Me */

// Pages that mailed links open, and asking for one: they work without a session.
const ForgotPassword = later(() => import("./people/password-link.js"), "ForgotPassword");
const ResetPassword = later(() => import("./people/password-link.js"), "ResetPassword");
const AcceptInvitation = later(() => import("./people/invitation.js"), "AcceptInvitation");
const TwoFactorRequired = later(() => import("./people/two-factor.js"), "TwoFactorRequired");

// A single sign-on ends on the sign-in page with a one-minute code (or why it failed)
// after `#`: taken out of the address bar before anything else is shown.
const SIGN_ON = takeSignOnAnswer();


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
  const target = /** @type {Element} */ (event.target);
  const link = /** @type {HTMLAnchorElement | null} */ (target.closest && target.closest("a[href]"));
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const href = link.getAttribute("href");
  if (!href.startsWith(`${BASE}/`) || link.target) return;
  event.preventDefault();
  navigate(href);
});

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

/** The top bar of someone who may do nothing yet but set up two-factor sign-in. */
function BareTopBar({ me, onSignOut }) {
  const user = userOf(me);
  return html`
    <header class="topbar">
      <nav aria-label="Main">
        <span class="brand">buysocial</span>
        <span class="you">
          <span>${user.display_name || user.email} (${user.role})</span>
          <button type="button" class="link" onClick=${onSignOut}>Sign out</button>
        </span>
      </nav>
    </header>`;
}

function TopBar({ me, path, onSignOut }) {
  const user = userOf(me);
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
          <a href=${`${BASE}/account`} aria-current=${path.startsWith(`${BASE}/account`) ? "page" : undefined}
            >${user.display_name || user.email} (${user.role})<span class="visually-hidden"> – your account</span></a>
          <button type="button" class="link" onClick=${onSignOut}>Sign out</button>
        </span>
      </nav>
    </header>`;
}

function App() {
  const location = useLocation();
  const path = location.split("?")[0];
  const [me, setMe] = useState(/** @type {Me | null} */ (null));
  // A code from a single sign-on signs in anew, whoever this tab was signed in as.
  const [signOn, setSignOn] = useState(SIGN_ON);
  const [signedOut, setSignedOut] = useState(!hasSession() || (SIGN_ON !== null && "code" in SIGN_ON));
  const [expired, setExpired] = useState(false);
  // What the sign-in form says first (a password just changed through a mailed link).
  const [notice, setNotice] = useState("");
  // Another mailed link opened in this tab (only the part after # changes): the page
  // it opens starts afresh with its token.
  const [link, setLink] = useState(0);
  useEffect(() => {
    const opened = () => {
      if (/token=/.test(window.location.hash)) setLink((n) => n + 1);
    };
    window.addEventListener("hashchange", opened);
    return () => window.removeEventListener("hashchange", opened);
  }, []);

  useEffect(() => {
    whenSignedOut(() => {
      setMe(null);
      setSignOn(null);
      setExpired(true);
      setSignedOut(true);
    });
    // A refusal may mean that the person must now do something first (set up two-factor
    // sign-in after an administrator required or reset it): the API says so in who they
    // are. Anything else stays as it is, so that a screen refused something is not reset.
    whenRefused(() => {
      whoAmI()
        .then((fresh) => {
          if (mustSetUpTwoFactor(fresh) || userOf(fresh)?.must_change_password) setMe(fresh);
        })
        .catch(() => {});
    });
  }, []);

  useEffect(() => {
    if (signedOut || me) return;
    whoAmI()
      .then(setMe)
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
      const heading = /** @type {HTMLElement | null} */ (document.querySelector("main h1"));
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
    setNotice("");
    setSignOn(null);
    setMe(null);
    setSignedOut(false);
  };
  // Signed in from a page a mailed link opened: on to the home screen.
  const signInFromLink = () => {
    navigate(`${BASE}/board`, { replace: true, asking: false });
    signIn();
  };
  // Every session of the account ended with the new password: sign in with it.
  const passwordChanged = async () => {
    if (hasSession()) await signOut();
    setMe(null);
    setExpired(false);
    setSignedOut(true);
    setNotice("Your password is changed. Sign in with it.");
    navigate(BASE, { replace: true, asking: false });
  };
  // After a change to one's own account (or to rules that apply to it), the API tells
  // anew what the person may do; the screen stays.
  const reload = () => {
    whoAmI().then(setMe).catch(() => setSignedOut(true));
  };
  const askAndSignOut = async () => {
    // Unsaved copies of translations stay on this computer for a reload or an expired
    // session, not for whoever uses it next: signing out removes them, after asking.
    const unsaved = keptCopies(me);
    if (unsaved.length > 0 && !window.confirm(
      `You have unsaved changes in ${unsaved.length === 1 ? "1 translation" : `${unsaved.length} translations`}. ` +
      "Sign out and discard them? They are kept on this computer only until you sign out.")) return false;
    for (const key of unsaved) localStorage.removeItem(key);
    await signOut();
    setMe(null);
    setSignOn(null);
    setSignedOut(true);
    return true;
  };
  // Some steps need a recent sign-in (turning on two-factor sign-in): signed out, the
  // person signs in again and is back on the same screen.
  const signInAgain = async (why) => {
    if (!(await askAndSignOut())) return;
    setNotice(why);
  };

  const page = path.replace(/\/+$/, "");
  if (page === `${BASE}/forgot-password`) return html`<main id="main"><${ForgotPassword} /></main>`;
  if (page === `${BASE}/reset-password`) return html`<main id="main"><${ResetPassword} key=${link} onChanged=${passwordChanged} /></main>`;
  if (page === `${BASE}/invitation`) return html`<main id="main"><${AcceptInvitation} key=${link} onSignedIn=${signInFromLink} /></main>`;
  if (signedOut) {
    document.title = "Sign in – buysocial";
    return html`<main id="main"><${SignIn} expired=${expired} notice=${notice} signOn=${signOn} onSignedIn=${signIn} /></main>`;
  }
  if (!me) return html`<p class="loading" role="status">Loading…</p>`;
  if (userOf(me)?.must_change_password) {
    document.title = "Change your password – buysocial";
    return html`<main id="main"><${ChangePassword} me=${me} onChanged=${() => setMe(null)} /></main>`;
  }
  if (mustSetUpTwoFactor(me)) {
    return html`
      <${BareTopBar} me=${me} onSignOut=${askAndSignOut} />
      <main id="main"><${TwoFactorRequired} me=${me} onDone=${reload} onSignInAgain=${signInAgain} /></main>`;
  }
  const screen = route(path, me, reload, signInAgain);
  return html`
    <${TopBar} me=${me} path=${path} onSignOut=${askAndSignOut} />
    <main id="main">
      ${screen || html`<h1>Page not found</h1><p><a href=${`${BASE}/news`}>Go to the news</a></p>`}
    </main>`;
}

const root = document.getElementById("app");
root.textContent = "";
render(html`<${App} />`, root);
