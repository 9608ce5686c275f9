// @ts-check
// A new item: its first translation (whose locale becomes the source), its countries
// and the details its kind needs.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { countryFacts } from "../api/countries.js";
import { createItem } from "../api/items.js";
import { callerScope } from "../api/session.js";
import { fieldsOf, formOf } from "../kinds.js";
import { navigate, useLeaveWarning } from "../navigation.js";
import { ErrorSummary, Select, TextArea, TextField } from "../widgets/forms.js";
import { countryName } from "../widgets/names.js";
import { FieldInputs } from "./details/field-inputs.js";

/** @typedef {import("../kinds.js").Kind} Kind */
/** @typedef {import("../api/session.js").Me} Me */
/** @typedef {import("../api/countries.js").Country} Country */
/** @typedef {import("../api/items.js").NewItem} NewItemRequest */
/** @typedef {import("../api/http.js").Problem} Problem */

/**
 * The first language of an item in `country`: the person's own language for it (one of
 * their locales that the country speaks, else their first), or for someone who writes
 * every language, the country's first.
 * @param {Me} me
 * @param {Country | undefined} facts
 * @param {string[]} allowed
 */
function firstLanguage(me, facts, allowed) {
  const own = callerScope(me)?.locales ?? [];
  const spoken = facts?.languages ?? [];
  if (own.length > 0) return own.find((l) => spoken.includes(l)) ?? own[0];
  return spoken.find((l) => allowed.includes(l)) ?? allowed[0] ?? "";
}

/** @param {{ kind: Kind, me: Me }} props */
export function NewItem({ kind, me }) {
  const locales = me.permissions.locales;
  const countries = me.permissions.countries;
  const events = kind.path === "events";
  // The first option shown is the one chosen: EU-wide when allowed, else the first
  // country. An event takes place in one country, which someone of several chooses.
  const firstCountry = me.permissions.eu_wide || (events && countries.length > 1) ? "" : countries[0] || "";
  const [country, setCountry] = useState(firstCountry);
  const [facts, setFacts] = useState(/** @type {Country[]} */ ([]));
  const [locale, setLocale] = useState(locales[0] || "");
  const [title, setTitle] = useState("");
  const [summary, setSummary] = useState("");
  const [form, setForm] = useState(() => formOf(kind));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = `New ${kind.one} – buysocial`;
  }, [kind]);
  useEffect(() => {
    countryFacts().then(setFacts);
  }, []);
  // What is typed is not lost by leaving: the app asks first (links, Back, closing).
  const typed = title.trim() !== "" || summary.trim() !== "";
  useLeaveWarning(typed && !busy, `This new ${kind.one} is not created yet. Leave and lose what you typed?`);
  // The country decides the defaults: its time zone, and the language to write in.
  const factsOf = (code) => facts.find((c) => c.code === code);
  const chooseCountry = (code) => {
    setCountry(code);
    const chosen = factsOf(code);
    setLocale(firstLanguage(me, chosen, locales));
    if (events) setForm((current) => ({ ...current, time_zone: chosen?.time_zones[0] ?? "" }));
  };
  useEffect(() => {
    if (facts.length > 0 && country) chooseCountry(country);
  }, [facts]);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    /** @type {NewItemRequest} */
    const body = {
      translation: { locale, title, summary },
      countries: country ? [country] : [],
    };
    const fields = fieldsOf(kind, form);
    if (Object.keys(fields).length > 0) {
      body.fields = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null));
    }
    try {
      const created = await createItem(kind.path, body);
      navigate(`/admin/${kind.path}/${created.id}?locale=${locale}`, { replace: true, asking: false });
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  };

  const countryOptions = [
    ...(events && firstCountry === "" ? [["", "Choose the country"]] : []),
    ...(me.permissions.eu_wide && !events ? [["", "EU-wide (no country)"]] : []),
    ...countries.map((c) => [c, countryName(c)]),
  ];
  return html`
    <p><a href=${`/admin/${kind.path}`}>Back to the ${kind.label.toLowerCase()}</a></p>
    <h1>New ${kind.one}</h1>
    <${ErrorSummary} problem=${problem} labels=${{
      "translation.title": "Title", "translation.locale": "Language", countries: "Country",
    }} />
    <form onSubmit=${submit} novalidate>
      <${Select} name="countries" label="Country" value=${country} onChange=${chooseCountry}
        options=${countryOptions} error=${problem?.fields?.countries} />
      <${Select} name="translation.locale" label="Language" hint="The language you write it in first; others translate from it."
        value=${locale} onChange=${setLocale} options=${locales.map((l) => [l, l.toUpperCase()])}
        error=${problem?.fields?.["translation.locale"]} />
      <${TextField} name="translation.title" label="Title" value=${title} onInput=${setTitle}
        error=${problem?.fields?.["translation.title"]} />
      <${TextArea} name="translation.summary" label="Summary" rows="3" value=${summary} onInput=${setSummary}
        error=${problem?.fields?.["translation.summary"]} />
      <${FieldInputs} kind=${kind} form=${form} setForm=${setForm} errors=${problem?.fields}
        zones=${factsOf(country)?.time_zones ?? []} />
      <div class="actions"><button type="submit" disabled=${busy}>Create ${kind.one}</button></div>
    </form>`;
}
