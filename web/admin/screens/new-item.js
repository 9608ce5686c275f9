// A new item: its first translation (whose locale becomes the source), its countries
// and the details its kind needs.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { post } from "../api.js";
import { navigate } from "../app.js";
import { ErrorSummary, Select, TextArea, TextField } from "./forms.js";
import { FieldInputs, fieldsOf, formOf } from "./neutral.js";

export function NewItem({ kind, me }) {
  const locales = me.permissions.locales;
  const countries = me.permissions.countries;
  const [locale, setLocale] = useState(locales[0] || "");
  // The first option shown is the one chosen: EU-wide when allowed, else the first country.
  const [country, setCountry] = useState(me.permissions.eu_wide ? "" : countries[0] || "");
  const [title, setTitle] = useState("");
  const [summary, setSummary] = useState("");
  const [form, setForm] = useState(() => formOf(kind));
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = `New ${kind.one} – buysocial`;
  }, [kind]);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const body = {
      translation: { locale, title, summary },
      countries: country ? [country] : [],
    };
    const fields = fieldsOf(kind, form);
    if (Object.keys(fields).length > 0) {
      body.fields = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null));
    }
    try {
      const { data } = await post(`/api/v1/admin/${kind.path}`, body);
      navigate(`/admin/${kind.path}/${data.id}?locale=${locale}`, { replace: true });
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  };

  const countryOptions = [
    ...(me.permissions.eu_wide ? [["", "EU-wide (no country)"]] : []),
    ...countries.map((c) => [c, c]),
  ];
  return html`
    <p><a href=${`/admin/${kind.path}`}>Back to the ${kind.label.toLowerCase()}</a></p>
    <h1>New ${kind.one}</h1>
    <${ErrorSummary} problem=${problem} labels=${{
      "translation.title": "Title", "translation.locale": "Language", countries: "Country",
    }} />
    <form onSubmit=${submit} novalidate>
      <${Select} name="translation.locale" label="Language" hint="The language you write it in first; others translate from it."
        value=${locale} onChange=${setLocale} options=${locales.map((l) => [l, l.toUpperCase()])}
        error=${problem?.fields?.["translation.locale"]} />
      <${Select} name="countries" label="Country" value=${country} onChange=${setCountry}
        options=${countryOptions} error=${problem?.fields?.countries} />
      <${TextField} name="translation.title" label="Title" value=${title} onInput=${setTitle}
        error=${problem?.fields?.["translation.title"]} />
      <${TextArea} name="translation.summary" label="Summary" rows="3" value=${summary} onInput=${setSummary}
        error=${problem?.fields?.["translation.summary"]} />
      <${FieldInputs} kind=${kind} form=${form} setForm=${setForm} errors=${problem?.fields} />
      <div class="actions"><button type="submit" disabled=${busy}>Create ${kind.one}</button></div>
    </form>`;
}
