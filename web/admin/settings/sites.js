// @ts-check
// The national frontends: the list, and one site's form (countries, languages, default
// language, the fallback chain as an ordered list, the consent its sign-up form asks
// for), with what its readers would see of one item before anything is saved.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { createSite, deleteSite, getSite, listSites, updateSite } from "../api/sites.js";
import { differs, navigate, useLeaveWarning } from "../navigation.js";
import { Checkboxes, ErrorSummary, ScopePicker, Select, TextField, when, incompleteChoices } from "../widgets/forms.js";
import { countriesText, countryName, languageName } from "../widgets/names.js";
import { FallbackChain } from "./fallback-chain.js";
import { ConsentFields, consentLabels } from "./site-consent.js";
import { SitePreview } from "./site-preview.js";

/** @typedef {import("../api/sites.js").Site} Site */
/** @typedef {import("../api/sites.js").SiteList} SiteList */
/** @typedef {import("../api/sites.js").NewSite} NewSite */
/** @typedef {import("../api/session.js").Me} Me */
/** @typedef {import("../api/http.js").Problem} Problem */

export function SiteList() {
  const [result, setResult] = useState(/** @type {SiteList | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  useEffect(() => {
    document.title = "Sites – buysocial";
    listSites().then(setResult).catch(setProblem);
  }, []);
  return html`
    <div class="page-head">
      <h1>Sites</h1>
      <a class="button" href="/admin/sites/new">New site</a>
    </div>
    <p class="hint">Each national frontend reads content as a site: its countries, its languages, and the languages to fall back on.</p>
    <${ErrorSummary} problem=${problem} />
    ${!result && !problem && html`<p role="status">Loading…</p>`}
    ${result && result.items.length === 0 && html`<p>No sites yet. Create one for each national frontend.</p>`}
    ${result && result.items.length > 0 && html`
      <table class="responsive">
        <caption class="visually-hidden">Sites</caption>
        <thead><tr><th scope="col">Site</th><th scope="col">Countries</th><th scope="col">Languages</th>
          <th scope="col">Fallback</th><th scope="col">Last change</th></tr></thead>
        <tbody>${result.items.map((site) => html`<tr>
          <td data-label="Site"><a href=${`/admin/sites/${site.code}`}>${site.name}</a> (${site.code})</td>
          <td data-label="Countries">${site.countries.length ? countriesText(site.countries) : "EU-wide"}</td>
          <td data-label="Languages">${site.locales.map((l) => (l === site.default_locale ? `${l.toUpperCase()} (default)` : l.toUpperCase())).join(", ")}</td>
          <td data-label="Fallback">${site.fallback.length ? site.fallback.map((l) => l.toUpperCase()).join(" → ") : "none"}</td>
          <td data-label="Last change">${when(site.updated_at)}</td>
        </tr>`)}</tbody>
      </table>`}`;
}

/** @param {Site | null} site */
function formOf(site) {
  return {
    code: site?.code || "",
    name: site?.name || "",
    countries: site?.countries || [],
    locales: site?.locales || [],
    default_locale: site?.default_locale || "",
    fallback: site?.fallback || [],
    preview_url: site?.preview_url || "",
    sign_up_links_url: site?.sign_up_links_url || "",
    consent: {
      own: Boolean(site?.registration_consent),
      version: site?.registration_consent?.version || "",
      texts: site?.registration_consent?.texts || {},
      privacy_notice_url: site?.registration_consent?.privacy_notice_url || "",
    },
  };
}

/** @param {{ code?: string, me: Me }} props */
export function SiteForm({ code, me }) {
  const isNew = !code;
  const [site, setSite] = useState(/** @type {Site | null} */ (null));
  const [form, setForm] = useState(formOf(null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [notice, setNotice] = useState("");
  const set = (change) => setForm({ ...form, ...change });
  useEffect(() => {
    document.title = `${isNew ? "New site" : `Site ${code}`} – buysocial`;
    if (!isNew) {
      getSite(code).then((data) => {
        setSite(data);
        setForm(formOf(data));
      }).catch(setProblem);
    }
  }, [code]);
  useLeaveWarning(differs(form, isNew ? formOf(null) : site && formOf(site)),
    isNew ? "This new site is not saved yet. Leave and lose what you typed?" : "The site's settings have unsaved changes. Leave without saving them?");
  if (!isNew && !site) return problem ? html`<h1>Site</h1><${ErrorSummary} problem=${problem} />` : html`<p role="status">Loading…</p>`;

  const configured = me.permissions.locales;
  const defaultLocale = form.locales.includes(form.default_locale) ? form.default_locale : form.locales[0] || "";
  /** What both creating and changing the site send. @type {Omit<NewSite, "code">} */
  const body = {
    name: form.name.trim(),
    countries: form.countries,
    locales: form.locales,
    default_locale: defaultLocale,
    fallback: form.fallback.filter((l) => l !== defaultLocale),
    preview_url: form.preview_url.trim() || null,
    sign_up_links_url: form.sign_up_links_url.trim() || null,
    // Only the site's languages, and those with a text: the others get buysocial's.
    registration_consent: form.consent.own ? {
      version: form.consent.version.trim(),
      texts: Object.fromEntries(form.locales.map((l) => [l, (form.consent.texts[l] || "").trim()]).filter(([, text]) => text)),
      privacy_notice_url: form.consent.privacy_notice_url.trim() || null,
    } : null,
  };
  const save = async (event) => {
    event.preventDefault();
    const incomplete = incompleteChoices();
    if (incomplete) {
      setProblem(incomplete);
      return;
    }
    setNotice("");
    setProblem(null);
    try {
      if (isNew) {
        const created = await createSite({ code: form.code.trim(), ...body });
        navigate(`/admin/sites/${created.code}`, { replace: true, asking: false });
      } else {
        const data = await updateSite(code, body);
        setSite(data);
        setForm(formOf(data));
        setNotice("Saved. Frontends get the new settings from their next request.");
      }
    } catch (error) {
      setProblem(error);
    }
  };
  const remove = async () => {
    if (!window.confirm(`Delete the site ${code}? Its tokens are revoked: its frontend can no longer read content with them.`)) return;
    try {
      await deleteSite(code);
      navigate("/admin/sites", { replace: true, asking: false });
    } catch (error) {
      setProblem(error);
    }
  };
  const errors = problem?.fields || {};
  return html`
    <p><a href="/admin/sites">Back to the sites</a></p>
    <h1>${isNew ? "New site" : `${site.name} (${site.code})`}</h1>
    ${notice && html`<div class="notice success" role="status">${notice}</div>`}
    <${ErrorSummary} problem=${problem} labels=${{ code: "Code", name: "Name", locales: "Languages", default_locale: "Default language", fallback: "Fallback chain", preview_url: "Preview address",
      sign_up_links_url: "Sign-up links page", ...consentLabels(form.locales) }} />
    <form onSubmit=${save} novalidate>
      ${isNew && html`<${TextField} name="code" label="Code" hint="2 to 32 lower-case letters, digits or hyphens; the frontend asks with ?site=be."
        value=${form.code} onInput=${(v) => set({ code: v })} error=${errors.code} />`}
      <${TextField} name="name" label="Name" value=${form.name} onInput=${(v) => set({ name: v })} error=${errors.name} />
      <${ScopePicker} name="countries" legend="Countries whose content it shows" allText="EU-wide: every country"
        someText="Only these countries (and EU-wide items)" value=${form.countries} onChange=${(v) => set({ countries: v })}
        error=${errors.countries} options=${me.permissions.countries.map((c) => [c, countryName(c)])} />
      <${Checkboxes} name="locales" legend="Languages" hint="The languages its readers can choose." value=${form.locales}
        onChange=${(v) => set({ locales: v })} error=${errors.locales} options=${configured.map((l) => [l, languageName(l)])} />
      ${form.locales.length > 0 && html`<${Select} name="default_locale" label="Default language"
        hint="What readers get when they do not choose." value=${defaultLocale}
        onChange=${(v) => set({ default_locale: v })} error=${errors.default_locale}
        options=${form.locales.map((l) => [l, languageName(l)])} />`}
      <${FallbackChain} value=${form.fallback.filter((l) => l !== defaultLocale)} onChange=${(v) => set({ fallback: v })}
        options=${configured.filter((l) => l !== defaultLocale)} error=${errors.fallback} />
      <${TextField} name="preview_url" label="Preview address (optional)" type="url"
        hint="Where the frontend shows a draft; it must hold {token}, e.g. https://webuysocial.be/api/preview?token={token}&slug={slug}&locale={locale}"
        value=${form.preview_url} onInput=${(v) => set({ preview_url: v })} error=${errors.preview_url} />
      <${TextField} name="sign_up_links_url" label="Sign-up links page (optional)" type="url"
        hint="Where the site shows the links we mail to people who sign up (to confirm, cancel, take a place, erase their data); it must hold {action} and {token}, e.g. https://webuysocial.be/{locale}/sign-up/{action}?token={token}. Empty: buysocial's own pages."
        value=${form.sign_up_links_url} onInput=${(v) => set({ sign_up_links_url: v })} error=${errors.sign_up_links_url} />
      <${ConsentFields} value=${form.consent} onChange=${(v) => set({ consent: v })} locales=${form.locales} errors=${errors} />
      <div class="actions">
        <button type="submit">${isNew ? "Create site" : "Save site"}</button>
        ${!isNew && html`<button type="button" class="warning" onClick=${remove}>Delete site</button>`}
      </div>
    </form>
    <${SitePreview} settings=${body} />`;
}
