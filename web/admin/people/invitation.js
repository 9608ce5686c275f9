// @ts-check
// The page an invitation's mailed link opens, without a session: who invited, with what
// role, countries and languages; the person's name and a password of their own; then
// they are signed in. Or, instead of a password, they sign in through a single sign-on
// provider: the server accepts the invitation when the address the provider vouches for
// is the invited one. The link's token is in the address's fragment: it is read once
// and taken out of the address bar.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { acceptInvitation, openInvitation } from "../api/invitations.js";
import { takeLinkToken } from "../api/session.js";
import { BASE } from "../router.js";
import { ErrorSummary, TextField, when, sentence } from "../widgets/forms.js";
import { ROLES, countryName, languageName } from "../widgets/names.js";
import { SignInServiceButtons, useSignInServices } from "../widgets/sign-in-services.js";

/** @typedef {import("../api/invitations.js").Invitation} Invitation */
/** @typedef {import("../api/http.js").Problem} Problem */

/**
 * Why the link cannot be used, and what to do instead.
 * @param {{ problem: Problem | null }} props
 */
function CannotUse({ problem }) {
  useEffect(() => {
    document.title = "Invitation link not working – buysocial";
  }, []);
  const status = problem?.status;
  const heading = status === 410 ? "This invitation can no longer be used"
    : status === 409 ? "You have an account already"
    : status === 404 || !problem ? "This invitation link is not valid"
    : "The invitation could not be opened";
  return html`
    <h1>${heading}</h1>
    <p>${problem ? sentence(problem.message) : "The link has no invitation in it. Open the whole link from the mail."}</p>
    ${(status === 410 || status === 409) && html`<p>If you have made your account already, <a href=${BASE}>sign in</a>${" "}
      with your email address and password. If you forgot the password,${" "}
      <a href=${`${BASE}/forgot-password`}>ask for a link to choose a new one</a>.</p>`}
    ${(!problem || status === 404 || status === 410) && html`<p>${status === 410 ? "Otherwise, ask" : "Ask"} the person who invited you to send the invitation again.</p>`}`;
}

/** What each role may do, said to the person who will have it. */
const YOU_MAY = {
  admin: "You may do everything: people, access, sites and all content.",
  editor: "You write, publish and delete content in your countries and languages, and see who signs up for their events.",
  author: "You write drafts in your countries and languages; an editor publishes them.",
  viewer: "You may read everything, and change nothing.",
};

/** @param {{ invitation: Invitation }} props */
function WhatItOffers({ invitation }) {
  const role = ROLES.find(([code]) => code === invitation.role);
  const does = YOU_MAY[invitation.role];
  const { countries, locales } = invitation.scope;
  return html`
    <dl class="summary">
      <div><dt>Email</dt><dd>${invitation.email}</dd></div>
      <div><dt>Role</dt><dd>${role ? role[1] : invitation.role}${does && html`<br /><span class="hint">${does}</span>`}</dd></div>
      ${invitation.role !== "admin" && html`
        <div><dt>Countries</dt><dd>${countries.length ? countries.map(countryName).join(", ") : "All countries (EU-wide)"}</dd></div>
        <div><dt>Languages</dt><dd>${locales.length ? locales.map(languageName).join(", ") : "All languages"}</dd></div>`}
      <div><dt>Link works until</dt><dd>${when(invitation.expires_at)}</dd></div>
    </dl>`;
}

/** @param {{ onSignedIn: () => void }} props */
export function AcceptInvitation({ onSignedIn }) {
  const [token] = useState(takeLinkToken);
  const [invitation, setInvitation] = useState(/** @type {Invitation | null} */ (null));
  const [openProblem, setOpenProblem] = useState(/** @type {Problem | null} */ (null));
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [busy, setBusy] = useState(false);
  const services = useSignInServices();

  useEffect(() => {
    document.title = "You are invited – buysocial";
    if (!token) return;
    openInvitation(token)
      .then((found) => {
        setInvitation(found);
        setName(found.display_name);
      })
      .catch(setOpenProblem);
  }, []);

  if (!token) return html`<${CannotUse} problem=${null} />`;
  if (openProblem) return html`<${CannotUse} problem=${openProblem} />`;
  if (problem && [404, 409, 410].includes(problem.status)) return html`<${CannotUse} problem=${problem} />`;
  if (!invitation) return html`<p role="status">Loading the invitation…</p>`;

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await acceptInvitation(token, password, name.trim());
      onSignedIn();
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  };
  return html`
    <h1>You are invited to buysocial</h1>
    <p><strong>${invitation.invited_by}</strong> invited you to buysocial, where the campaign's pages,
      news, events and materials are written. Your account will be:</p>
    <${WhatItOffers} invitation=${invitation} />
    <h2>Make your account</h2>
    <${ErrorSummary} problem=${problem} labels=${{ display_name: "Name", password: "Choose a password" }} />
    <form onSubmit=${submit} novalidate>
      <input type="email" name="username" autocomplete="username" value=${invitation.email} hidden readonly />
      <${TextField} name="display_name" label="Name" autocomplete="name"
        hint="As others see it in buysocial." value=${name} onInput=${setName} error=${problem?.fields?.display_name} />
      <${TextField} name="password" label="Choose a password" type="password" autocomplete="new-password"
        hint=${`At least 12 characters. A few unrelated words work well. You sign in with ${invitation.email} and this password.`}
        value=${password} onInput=${setPassword} error=${problem?.fields?.password} />
      <div class="actions"><button type="submit" disabled=${busy}>Create my account</button></div>
    </form>
    ${services && services.length > 0 && html`
      <h2>Or sign in with ${services.length === 1 ? services[0].display_name : "an account you have"}</h2>
      <p class="hint" id="invitation-services-hint">Instead of choosing a password, sign in with${" "}
        ${services.map((service) => service.display_name).join(" or ")}. This works when the email address of
        your account there is ${invitation.email}, the one this invitation was sent to: your buysocial account
        is then made with the role, countries and languages above.</p>
      <${SignInServiceButtons} services=${services} describedBy="invitation-services-hint" />`}`;
}
