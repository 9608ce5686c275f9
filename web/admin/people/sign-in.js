// @ts-check
// Sign in with email and password, or through a single sign-on provider ("Sign in with
// EU Login"); then, for an account with two-factor sign-in, a code from the
// authenticator app or one of the recovery codes. After an expired session the address
// stays where it was, and any text typed in an editor is kept in this browser
// (widgets/kept-copies.js). A single sign-on ends here: the app took its code (or why it
// failed) out of the address before anything else (app.js), and this page exchanges
// the code for a session or says what went wrong.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { signIn, signInWithCode, signInWithSignOnCode } from "../api/session.js";
import { BASE } from "../router.js";
import { ErrorSummary, TextField, fieldId, problemWith } from "../widgets/forms.js";
import { SignInServiceButtons, chosenService, useSignInServices } from "../widgets/sign-in-services.js";

/** @typedef {import("../api/session.js").CodeNeeded} CodeNeeded */
/** @typedef {import("../api/session.js").SignOnAnswer} SignOnAnswer */
/** @typedef {import("../api/session.js").SignInService} SignInService */
/** @typedef {import("../api/http.js").Problem} Problem */

/**
 * Why a single sign-on did not sign the person in, and what to do (`#sso_error=`).
 * @param {string} kind
 * @param {string | null} name the provider's, when known
 */
function signOnFailure(kind, name) {
  const service = name || "the sign-in service";
  const Service = name || "The sign-in service";
  switch (kind) {
    case "provider_unavailable":
      return `${Service} could not be reached, so you are not signed in. Sign in with your password, or try again later.`;
    case "provider_refused":
      return `The sign-in was cancelled or refused at ${service}, so you are not signed in. Try again, or sign in with your password.`;
    case "state_mismatch":
      return "This sign-in did not start in this browser, or it was used already, so you are not signed in. "
        + "Start again from this page.";
    case "expired":
      return `The sign-in at ${service} took too long (more than 10 minutes), so you are not signed in. Start again.`;
    case "invalid_token":
      return `The answer from ${service} could not be checked, so you are not signed in. Start again; `
        + "if it happens again, tell an administrator.";
    case "email_unverified":
      return `${Service} has not confirmed your email address, so buysocial cannot tell that it is yours. `
        + `Confirm your address at ${service} (look for its confirmation mail), then start again, or sign in with your password.`;
    case "no_account":
      return `There is no buysocial account or invitation for the email address ${service} gave. `
        + "Ask an administrator to invite you. If you were invited at another address, open the link in the invitation mail.";
    case "account_disabled":
      return "Your buysocial account is disabled, so you cannot sign in. Ask an administrator if you need it again.";
    case "sign_in_failed":
      return "Something went wrong on our side, and you are not signed in. Try again in a moment.";
    default:
      return `Signing in through ${service} did not work. Try again, or sign in with your password.`;
  }
}

/**
 * `notice`: what brought the person here (a password just changed); `signOn`: how a
 * single sign-on ended, when it brought them here.
 * @param {{ expired?: boolean, notice?: string, signOn?: SignOnAnswer | null, onSignedIn: () => void }} props
 */
export function SignIn({ expired = false, notice = "", signOn = null, onSignedIn }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [busy, setBusy] = useState(false);
  const [step, setStep] = useState(/** @type {CodeNeeded | null} */ (null));
  const [timedOut, setTimedOut] = useState(false);
  const [exchanging, setExchanging] = useState(Boolean(signOn && "code" in signOn));
  const services = useSignInServices();
  // Back from the second step: the password is still there, ready to send again.
  useEffect(() => {
    if (timedOut) document.getElementById(fieldId("password"))?.focus();
  }, [timedOut]);
  // A single sign-on that came back with a code: exchanged once for a session.
  useEffect(() => {
    if (!signOn || !("code" in signOn)) return;
    signInWithSignOnCode(signOn.code)
      .then((next) => {
        if (!next) {
          onSignedIn();
          return;
        }
        setStep(next);
        setExchanging(false);
      })
      .catch((error) => {
        setProblem(error.status === 401
          ? problemWith({}, "This sign-in took more than a minute to come back, or it was used already, so you are not signed in. Start again.")
          : error);
        setExchanging(false);
      });
  }, []);
  // One that came back refused: said once the providers (and so its name) are known.
  useEffect(() => {
    if (services && signOn && "error" in signOn) {
      setProblem(problemWith({}, signOnFailure(signOn.error, chosenService(services)?.display_name || null)));
    }
  }, [services]);

  const submit = async (event) => {
    event.preventDefault();
    /** @type {Record<string, string>} */
    const empty = {};
    if (!email.trim()) empty.email = "Enter your email address";
    if (!password) empty.password = "Enter your password";
    if (Object.keys(empty).length > 0) {
      setProblem(problemWith(empty));
      return;
    }
    setBusy(true);
    setTimedOut(false);
    try {
      const next = await signIn(email.trim(), password);
      if (next) {
        setProblem(null);
        setStep(next);
        setBusy(false);
      } else {
        onSignedIn();
      }
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  };

  if (step) {
    return html`<${SecondStep} step=${step} onSignedIn=${onSignedIn}
      onTimedOut=${() => {
        setStep(null);
        setTimedOut(true);
        setProblem(null);
      }} />`;
  }
  if (exchanging) {
    return html`<h1>Sign in to buysocial</h1>
      <p role="status">Signing you in…</p>`;
  }
  return html`
    <h1>Sign in to buysocial</h1>
    ${expired && html`<div class="notice" role="status">Your session has ended. Sign in again
      to carry on: translations you were writing are kept in this browser until you save them.</div>`}
    ${notice && html`<div class="notice success" role="status">${notice}</div>`}
    ${timedOut && html`<div class="notice" role="status">The time to enter a code ran out (5 minutes).
      Sign in again, then enter the code your app shows.</div>`}
    <${ErrorSummary} problem=${problem} labels=${{ email: "Email", password: "Password" }} />
    <form onSubmit=${submit} novalidate>
      <${TextField} name="email" label="Email" type="email" autocomplete="username"
        value=${email} onInput=${setEmail} error=${problem?.fields?.email} />
      <${TextField} name="password" label="Password" type="password" autocomplete="current-password"
        value=${password} onInput=${setPassword} error=${problem?.fields?.password} />
      <div class="actions"><button type="submit" disabled=${busy}>Sign in</button></div>
    </form>
    <p><a href=${`${BASE}/forgot-password`}>Forgot your password?</a></p>
    ${services && services.length > 0 && html`
      <h2>Or sign in with ${services.length === 1 ? services[0].display_name : "another account"}</h2>
      <p class="hint" id="sign-in-services-hint">${services.length === 1
        ? `With your ${services[0].display_name} account, when it uses the email address of your buysocial account.`
        : "With an account you have there, when it uses the email address of your buysocial account."}</p>
      <${SignInServiceButtons} services=${services} describedBy="sign-in-services-hint" />`}`;
}

/**
 * The second step: a code from the app, or a recovery code instead.
 * @param {{ step: CodeNeeded, onSignedIn: () => void, onTimedOut: () => void }} props
 */
function SecondStep({ step, onSignedIn, onTimedOut }) {
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState("");
  const [recoveryCode, setRecoveryCode] = useState("");
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [busy, setBusy] = useState(false);
  const field = recovery ? "recovery_code" : "code";

  const submit = async (event) => {
    event.preventDefault();
    const value = (recovery ? recoveryCode : code).replace(/\s+/g, "");
    if (!value) {
      setProblem(problemWith({ [field]: recovery ? "Enter one of your recovery codes" : "Enter the code your app shows" }));
      return;
    }
    if (Date.now() > new Date(step.expires_at).getTime()) {
      onTimedOut();
      return;
    }
    setBusy(true);
    try {
      await signInWithCode(step.challenge, recovery ? { recovery_code: value } : { code: value });
      onSignedIn();
    } catch (error) {
      setBusy(false);
      // One 401 for any wrong code; another when the step itself is over.
      if (error.status === 401 && /sign in again/i.test(error.message)) {
        onTimedOut();
        return;
      }
      if (error.status === 401) {
        setProblem(problemWith({
          [field]: recovery
            ? "This recovery code is not right, or it was used already. Each works once."
            : "This code is not right. Enter the code your app shows now; if it fails again, check the time on your phone.",
        }));
        return;
      }
      setProblem(error);
    }
  };
  const switchTo = (toRecovery) => {
    setRecovery(toRecovery);
    setProblem(null);
  };
  // The password form is gone: the person carries on in the field that replaced it.
  useEffect(() => {
    document.getElementById(fieldId(field))?.focus();
  }, [field]);

  return html`
    <h1>Enter your code</h1>
    <p>${recovery
      ? "Your account uses two-factor sign-in. Without your phone, enter one of the ten recovery codes you saved when you set it up."
      : "Your account uses two-factor sign-in. Open the authenticator app on your phone and enter the code it shows for buysocial."}</p>
    <${ErrorSummary} problem=${problem}
      labels=${{ code: "Code from your authenticator app", recovery_code: "Recovery code" }} />
    <form onSubmit=${submit} novalidate>
      ${recovery
        ? html`<${TextField} key="recovery" name="recovery_code" label="Recovery code" autocomplete="off"
            spellcheck="false" autocapitalize="off"
            hint="Like abcd-efgh-jkmn-pqrs. Each code works once."
            value=${recoveryCode} onInput=${setRecoveryCode} error=${problem?.fields?.recovery_code} />`
        : html`<${TextField} key="code" name="code" label="Code from your authenticator app"
            inputmode="numeric" autocomplete="one-time-code" class="short" maxlength="10"
            hint="Six digits. A new code appears every 30 seconds."
            value=${code} onInput=${setCode} error=${problem?.fields?.code} />`}
      <div class="actions">
        <button type="submit" disabled=${busy}>Sign in</button>
        ${recovery
          ? html`<button type="button" class="secondary" onClick=${() => switchTo(false)}>Use a code from the app instead</button>`
          : html`<button type="button" class="secondary" onClick=${() => switchTo(true)}>Use a recovery code instead</button>`}
      </div>
    </form>
    <p class="hint">Lost your phone and your recovery codes? Ask an administrator to reset your two-factor sign-in.</p>`;
}
