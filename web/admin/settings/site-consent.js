// @ts-check
// What a site's sign-up form asks people to agree to: buysocial's own text, or the
// site's own, with a version each sign-up records, a text per language of the site and
// a link to its privacy notice.

import { html } from "../vendor/htm-preact-standalone-3.1.1.js";
import { Radios, TextArea, TextField, fieldId } from "../widgets/forms.js";
import { languageWord } from "../widgets/names.js";

/** @typedef {{ own: boolean, version: string, texts: Record<string, string>, privacy_notice_url: string }} ConsentForm */

/** "Consent text in French". @param {string} locale */
const textLabel = (locale) => `Consent text in ${languageWord(locale)}`;

/**
 * The labels of the consent's fields by API field name, for the error summary.
 * @param {string[]} locales
 */
export function consentLabels(locales) {
  return {
    registration_consent: "Consent on the sign-up form",
    "registration_consent.version": "Version",
    "registration_consent.texts": "Text in each language",
    ...Object.fromEntries(locales.map((l) => [`registration_consent.texts.${l}`, textLabel(l)])),
    "registration_consent.privacy_notice_url": "Privacy notice link",
  };
}

/**
 * @param {{ value: ConsentForm, onChange: (value: ConsentForm) => void, locales: string[], errors: Record<string, string> }} props
 */
export function ConsentFields({ value, onChange, locales, errors }) {
  const set = (change) => onChange({ ...value, ...change });
  const textsId = fieldId("registration_consent.texts");
  const textsError = errors["registration_consent.texts"];
  return html`
    <${Radios} name="registration_consent" legend="Consent on the sign-up form"
      hint="What people agree to when they sign up for one of the site's events."
      value=${value.own ? "site" : "buysocial"} onChange=${(v) => set({ own: v === "site" })} error=${errors.registration_consent}
      options=${[
        ["buysocial", "buysocial's own text", "In each reader's language: their details serve only to organise the event, and are deleted a set number of days after it."],
        ["site", "This site's own text"],
      ]} />
    ${value.own && html`<div class="conditional">
      <${TextField} name="registration_consent.version" label="Version"
        hint="Change it whenever the text changes in substance; each sign-up records it."
        value=${value.version} onInput=${(v) => set({ version: v })} error=${errors["registration_consent.version"]} />
      <fieldset class=${`field plain${textsError ? " has-error" : ""}`} id=${textsId} tabindex="-1"
        aria-describedby=${[`${textsId}-hint`, textsError && `${textsId}-error`].filter(Boolean).join(" ")}>
        <legend>Text in each language</legend>
        <p class="hint" id=${`${textsId}-hint`}>Plain text, shown beside the box people tick. In a language left empty, readers get buysocial's own text.</p>
        ${textsError && html`<p class="error-message" id=${`${textsId}-error`}><span class="visually-hidden">Error: </span>${textsError}</p>`}
        ${locales.length === 0 && html`<p>Choose the site's languages first.</p>`}
        ${locales.map((l) => html`<${TextArea} key=${l} name=${`registration_consent.texts.${l}`} label=${textLabel(l)} rows="3"
          value=${value.texts[l]} onInput=${(v) => set({ texts: { ...value.texts, [l]: v } })}
          error=${errors[`registration_consent.texts.${l}`]} />`)}
      </fieldset>
      <${TextField} name="registration_consent.privacy_notice_url" label="Privacy notice link (optional)" type="url"
        hint="Shown beside the text in every language, e.g. https://webuysocial.be/privacy"
        value=${value.privacy_notice_url} onInput=${(v) => set({ privacy_notice_url: v })}
        error=${errors["registration_consent.privacy_notice_url"]} />
    </div>`}`;
}
