// @ts-check
// One's own two-factor sign-in: setting it up (a QR code or a key for the authenticator
// app, then a code from it), the ten recovery codes shown once, new recovery codes, and
// turning it off. Shown in "Your account", and on its own, before anything else, to
// those whose role must use it and who have not set it up. Turning it on needs a
// sign-in of the last 15 minutes (the server says so with a 403): the screen then offers
// to sign out and in again, and comes back.

import { html, useEffect, useRef, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { userOf } from "../api/session.js";
import { newRecoveryCodes, startTwoFactor, turnOffTwoFactor, turnOnTwoFactor } from "../api/two-factor.js";
import { useLeaveWarning } from "../navigation.js";
import { ErrorSummary, TextField, problemWith } from "../widgets/forms.js";
import { roleName } from "../widgets/names.js";

/** @typedef {import("../api/session.js").SessionMe} SessionMe */
/** @typedef {import("../api/two-factor.js").Enrolment} Enrolment */
/** @typedef {import("../api/http.js").Problem} Problem */

/** A heading at `level` that takes the focus when it appears (the button pressed is gone). */
function StepHeading({ level, children }) {
  const heading = useRef(null);
  useEffect(() => heading.current && heading.current.focus(), []);
  const Tag = `h${level}`;
  return html`<${Tag} tabindex="-1" ref=${heading}>${children}<//>`;
}

/** "JBSW Y3DP EHPK 3PXP": the key in groups of four, for reading and typing. */
function grouped(secret) {
  return secret.replace(/\s+/g, "").match(/.{1,4}/g)?.join(" ") ?? secret;
}

/** A code as typed: spaces (some apps show "123 456") left out. */
function digits(code) {
  return code.replace(/\s+/g, "");
}

/**
 * Hands a text file to the browser to save.
 * @param {string} name
 * @param {string} text
 */
function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/**
 * The ten recovery codes, shown only now: copy, download, and say they are saved.
 * @param {{ codes: string[], email: string, level: number, onSaved: () => void }} props
 */
function RecoveryCodes({ codes, email, level, onSaved }) {
  const [told, setTold] = useState("");
  useLeaveWarning(true, "Your recovery codes are shown only now. Leave without saving them?");
  const text = [
    `buysocial recovery codes for ${email}`,
    `Made on ${new Date().toLocaleString()}. Each code works once, instead of a code from your authenticator app.`,
    "",
    ...codes,
    "",
  ].join("\n");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setTold("The codes are copied. Paste them somewhere safe, such as your password manager.");
    } catch {
      setTold("The browser did not allow copying: download the codes, or write them down.");
    }
  };
  return html`<div class="notice success">
    <${StepHeading} level=${level}>Save your recovery codes<//>
    <p>If you lose your phone, each of these codes lets you sign in once instead of a code from the app.
      Keep them somewhere safe, such as a password manager, or print them.${" "}
      <strong>They are shown only now.</strong></p>
    <ol class="recovery-codes" aria-label="Recovery codes">
      ${codes.map((code) => html`<li><code>${code}</code></li>`)}
    </ol>
    <div class="actions">
      <button type="button" class="secondary" onClick=${copy}>Copy the codes</button>
      <button type="button" class="secondary" onClick=${() => {
        download("buysocial-recovery-codes.txt", text);
        setTold("The codes are downloaded as buysocial-recovery-codes.txt. Keep the file somewhere safe.");
      }}>Download the codes</button>
    </div>
    <p aria-live="polite">${told}</p>
    <div class="actions"><button type="button" onClick=${onSaved}>I have saved my codes</button></div>
  </div>`;
}

/** What the sign-in page says to someone signed out to turn it on. */
const SIGN_IN_AGAIN = "You are signed out. Sign in again, then set up two-factor sign-in straight away: "
  + "turning it on needs a sign-in of the last 15 minutes.";

/**
 * The server refused to turn it on: the sign-in is too old. Says why, and offers to
 * sign out and in again (the key shown is of no use any more: it is not shown again).
 * @param {{ onSignInAgain: (why: string) => void, onCancel: () => void }} props
 */
function TooLongAgo({ onSignInAgain, onCancel }) {
  const box = useRef(null);
  useEffect(() => box.current && box.current.focus(), []);
  return html`<div class="error-summary" role="alert" tabindex="-1" ref=${box} aria-labelledby="sign-in-again-title">
    <h2 id="sign-in-again-title">Sign in again to turn on two-factor sign-in</h2>
    <p>To keep your account safe, two-factor sign-in can only be turned on within 15 minutes of signing in,
      and you signed in earlier. Sign out, sign in again and set it up straight away.</p>
    <p>The key you just added to your authenticator app will not work: remove that buysocial entry from
      the app, and scan the new QR code you get after signing in.</p>
    <div class="actions">
      <button type="button" onClick=${() => onSignInAgain(SIGN_IN_AGAIN)}>Sign out and sign in again</button>
      <button type="button" class="secondary" onClick=${onCancel}>Not now</button>
    </div>
  </div>`;
}

/**
 * Steps 2 and 3 of setting up: scan or type the key, confirm with a code; then the codes.
 * @param {{ enrolment: Enrolment, email: string, level: number, onCancel: () => void, onDone: () => void,
 *   onSignInAgain: (why: string) => void }} props
 */
function Enrol({ enrolment, email, level, onCancel, onDone, onSignInAgain }) {
  const [code, setCode] = useState("");
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [busy, setBusy] = useState(false);
  const [codes, setCodes] = useState(/** @type {string[] | null} */ (null));
  if (codes) {
    return html`<p class="notice success" role="status">Two-factor sign-in is on. From now on, signing in asks
        for a code from your app after your password.</p>
      <${RecoveryCodes} codes=${codes} email=${email} level=${level} onSaved=${onDone} />`;
  }
  // Only within 15 minutes of signing in: the server's 403 says "sign in again".
  const stale = problem?.status === 403 && /sign in again/i.test(problem.message);
  const submit = async (event) => {
    event.preventDefault();
    if (!digits(code)) {
      setProblem(problemWith({ code: "Enter the code your app shows" }));
      return;
    }
    setBusy(true);
    try {
      setCodes((await turnOnTwoFactor(digits(code))).recovery_codes);
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  };
  const qr = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qr_svg)}`;
  return html`
    <${StepHeading} level=${level}>Add buysocial to your authenticator app<//>
    ${stale ? html`<${TooLongAgo} onSignInAgain=${onSignInAgain} onCancel=${onCancel} />` : html`<ol class="steps">
      <li>
        <p>Open the authenticator app on your phone, choose to add an account, and scan this QR code.</p>
        <img class="qr" src=${qr} width="228" height="228" alt="QR code for adding buysocial to an authenticator app" />
      </li>
      <li>
        <p>If you cannot scan it, choose to enter a key instead, and type this one (spaces do not matter):</p>
        <p><code class="secret" id="two-factor-key">${grouped(enrolment.secret)}</code></p>
        <p class="hint">Choose “time-based” if the app asks.</p>
      </li>
      <li>
        <p>Enter the code the app now shows for buysocial.</p>
        <${ErrorSummary} problem=${problem} labels=${{ code: "Code from your app" }} />
        <form onSubmit=${submit} novalidate>
          <${TextField} name="code" label="Code from your app" inputmode="numeric" autocomplete="one-time-code"
            class="short" maxlength="10" hint="Six digits. A new code appears every 30 seconds."
            value=${code} onInput=${setCode} error=${problem?.fields?.code} />
          <div class="actions">
            <button type="submit" disabled=${busy}>Turn on</button>
            <button type="button" class="secondary" onClick=${onCancel}>Cancel</button>
          </div>
        </form>
      </li>
    </ol>`}`;
}

/**
 * Setting it up, from the explanation to the saved recovery codes.
 * @param {{ email: string, level: number, intro: any, onDone: () => void, onSignInAgain: (why: string) => void }} props
 */
function SetUp({ email, level, intro, onDone, onSignInAgain }) {
  const [enrolment, setEnrolment] = useState(/** @type {Enrolment | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [busy, setBusy] = useState(false);
  if (enrolment) {
    return html`<${Enrol} enrolment=${enrolment} email=${email} level=${level} onDone=${onDone}
      onSignInAgain=${onSignInAgain} onCancel=${() => setEnrolment(null)} />`;
  }
  const start = async () => {
    setBusy(true);
    setProblem(null);
    try {
      setEnrolment(await startTwoFactor());
    } catch (error) {
      setProblem(error);
    }
    setBusy(false);
  };
  return html`
    ${intro}
    <p>With two-factor sign-in, buysocial asks for a code from an authenticator app on your phone
      after your password. Someone who learns your password still cannot sign in.</p>
    <p>You need an authenticator app, such as Google Authenticator, Microsoft Authenticator, FreeOTP or
      Aegis. Setting it up takes two minutes.</p>
    <${ErrorSummary} problem=${problem} />
    <div class="actions"><button type="button" onClick=${start} disabled=${busy}>Set up two-factor sign-in</button></div>`;
}

/**
 * The "Two-factor sign-in" part of "Your account".
 * @param {{ me: SessionMe, onChanged: () => void, onSignInAgain: (why: string) => void }} props
 */
export function TwoFactor({ me, onChanged, onSignInAgain }) {
  const user = userOf(me);
  const state = me.two_factor;
  const [codes, setCodes] = useState(/** @type {string[] | null} */ (null));
  const [code, setCode] = useState("");
  const [codeProblem, setCodeProblem] = useState(/** @type {Problem | null} */ (null));
  const [password, setPassword] = useState("");
  const [offProblem, setOffProblem] = useState(/** @type {Problem | null} */ (null));
  const [notice, setNotice] = useState("");
  const [busy, setBusy] = useState(false);

  if (!state.enabled) {
    return html`
      ${notice && html`<p class="notice success" role="status">${notice}</p>`}
      <${SetUp} email=${user.email} level=${3} onSignInAgain=${onSignInAgain} onDone=${() => {
        setNotice("Two-factor sign-in is on. Signing in now asks for a code from your app after your password.");
        onChanged();
      }} intro=${html`<p><strong>Two-factor sign-in is off.</strong> You sign in with your password only.</p>`} />`;
  }
  if (codes) {
    return html`<${RecoveryCodes} codes=${codes} email=${user.email} level=${3} onSaved=${() => {
      setCodes(null);
      setNotice("Your new recovery codes are saved. The earlier ones no longer work.");
      onChanged();
    }} />`;
  }
  const makeCodes = async (event) => {
    event.preventDefault();
    setNotice("");
    if (!digits(code)) {
      setCodeProblem(problemWith({ new_codes_code: "Enter the code your app shows" }));
      return;
    }
    setBusy(true);
    try {
      const made = await newRecoveryCodes(digits(code));
      setCode("");
      setCodeProblem(null);
      setCodes(made.recovery_codes);
    } catch (error) {
      // The form's field has its own name on this page: the server calls it `code`.
      if (error.fields?.code) error.fields = { new_codes_code: error.fields.code };
      setCodeProblem(error);
    }
    setBusy(false);
  };
  const turnOff = async (event) => {
    event.preventDefault();
    setNotice("");
    if (!password) {
      setOffProblem(problemWith({ password: "Enter your password" }));
      return;
    }
    setBusy(true);
    try {
      await turnOffTwoFactor(password);
      setPassword("");
      setOffProblem(null);
      setNotice("Two-factor sign-in is off. Your recovery codes no longer work.");
      onChanged();
    } catch (error) {
      setOffProblem(error);
    }
    setBusy(false);
  };
  const left = state.recovery_codes_left;
  return html`
    ${notice && html`<p class="notice success" role="status">${notice}</p>`}
    <p><strong>Two-factor sign-in is on.</strong> Signing in asks for a code from your authenticator app
      after your password.</p>
    <p>You have ${left === 1 ? "1 recovery code" : `${left} recovery codes`} left.
      ${left <= 3 && " Make new ones, so that you can still sign in if you lose your phone."}</p>

    <h3>Make new recovery codes</h3>
    <p>You get ten new codes; the ones you have stop working.</p>
    <${ErrorSummary} problem=${codeProblem} labels=${{ new_codes_code: "Code from your app" }} />
    <form onSubmit=${makeCodes} novalidate>
      <${TextField} name="new_codes_code" label="Code from your app" inputmode="numeric" autocomplete="one-time-code"
        class="short" maxlength="10" hint="Six digits, from your authenticator app."
        value=${code} onInput=${setCode} error=${codeProblem?.fields?.new_codes_code} />
      <div class="actions"><button type="submit" class="secondary" disabled=${busy}>Make new recovery codes</button></div>
    </form>

    <h3>Turn off two-factor sign-in</h3>
    ${state.required
      ? html`<p>Your role (${roleName(user.role)}) must sign in with two-factor sign-in, so you cannot turn it
          off. If you get a new phone or lose this one, ask an administrator to reset it; you then set it up again.</p>`
      : html`
        <p>You then sign in with your password only, and your recovery codes stop working.</p>
        <${ErrorSummary} problem=${offProblem} labels=${{ password: "Your password" }} />
        <form onSubmit=${turnOff} novalidate>
          <${TextField} name="password" label="Your password" type="password" autocomplete="current-password"
            value=${password} onInput=${setPassword} error=${offProblem?.fields?.password} />
          <div class="actions"><button type="submit" class="warning" disabled=${busy}>Turn off two-factor sign-in</button></div>
        </form>`}`;
}

/**
 * Shown instead of everything else to someone whose role must use two-factor sign-in
 * and who has not set it up: the API refuses them all else until they do.
 * @param {{ me: SessionMe, onDone: () => void, onSignInAgain: (why: string) => void }} props
 */
export function TwoFactorRequired({ me, onDone, onSignInAgain }) {
  const user = userOf(me);
  useEffect(() => {
    document.title = "Set up two-factor sign-in – buysocial";
  }, []);
  return html`
    <h1>Set up two-factor sign-in</h1>
    <${SetUp} email=${user.email} level=${2} onDone=${onDone} onSignInAgain=${onSignInAgain} intro=${html`
      <p class="notice">Your role (${roleName(user.role)}) must sign in with two-factor sign-in.
        Set it up now: you can carry on with your work as soon as it is on.</p>`} />`;
}
