// @ts-check
// Form parts in the GOV.UK pattern: a label above each field, hint text, the error
// repeated next to its field, and a summary at the top linking to each one.

import { html, useEffect, useRef, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { Problem } from "../api/http.js";

/** A stable id for a field, derived from its name. */
export function fieldId(name) {
  return `field-${name.replace(/[^a-zA-Z0-9_-]/g, "-")}`;
}

/**
 * One labelled field. `control` receives the id and the ids that describe it, and
 * returns the input.
 */
export function Field({ name, label, hint, error, children }) {
  const id = fieldId(name);
  const hintId = hint ? `${id}-hint` : null;
  const errorId = error ? `${id}-error` : null;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return html`
    <div class=${`field${error ? " has-error" : ""}`}>
      <label for=${id}>${label}</label>
      ${hint && html`<p class="hint" id=${hintId}>${hint}</p>`}
      ${error && html`<p class="error-message" id=${errorId}><span class="visually-hidden">Error: </span>${error}</p>`}
      ${children({ id, describedBy, invalid: error ? "true" : undefined })}
    </div>`;
}

export function TextField({ name, label, hint, error, value, onInput, type = "text", ...rest }) {
  return html`<${Field} name=${name} label=${label} hint=${hint} error=${error}>
    ${({ id, describedBy, invalid }) => html`<input id=${id} name=${name} type=${type} value=${value ?? ""}
      aria-describedby=${describedBy} aria-invalid=${invalid}
      onInput=${(e) => onInput(e.currentTarget.value)} ...${rest} />`}
  <//>`;
}

export function TextArea({ name, label, hint, error, value, onInput, rows = 4 }) {
  return html`<${Field} name=${name} label=${label} hint=${hint} error=${error}>
    ${({ id, describedBy, invalid }) => html`<textarea id=${id} name=${name} rows=${rows}
      aria-describedby=${describedBy} aria-invalid=${invalid}
      value=${value ?? ""} onInput=${(e) => onInput(e.currentTarget.value)}></textarea>`}
  <//>`;
}

export function Select({ name, label, hint, error, value, onChange, options }) {
  return html`<${Field} name=${name} label=${label} hint=${hint} error=${error}>
    ${({ id, describedBy, invalid }) => html`<select id=${id} name=${name}
      aria-describedby=${describedBy} aria-invalid=${invalid}
      onChange=${(e) => onChange(e.currentTarget.value)}>
      ${options.map(([v, text]) => html`<option value=${v} selected=${v === value}>${text}</option>`)}
    </select>`}
  <//>`;
}

/**
 * The problem at the top of a form: its detail, and a link to each field at fault.
 * `labels` maps API field names to the labels the user sees.
 */
let summaries = 0;

export function ErrorSummary({ problem, labels = {} }) {
  const box = useRef(null);
  const titleId = useRef(`error-summary-${(summaries += 1)}`);
  useEffect(() => {
    if (problem && box.current) box.current.focus();
  }, [problem]);
  if (!problem) return null;
  const fields = Object.entries(problem.fields || {});
  return html`
    <div class="error-summary" role="alert" tabindex="-1" ref=${box} aria-labelledby=${titleId.current}>
      <h2 id=${titleId.current}>There is a problem</h2>
      ${fields.length === 0 && html`<p>${problem.message}</p>`}
      ${fields.length > 0 && html`<ul>
        ${fields.map(([field, message]) => html`<li>
          <a href=${`#${fieldId(field)}`} onClick=${(e) => {
            e.preventDefault();
            const target = document.getElementById(fieldId(field));
            if (target) target.focus();
          }}>${labels[field] ? `${labels[field]}: ` : ""}${message}</a></li>`)}
      </ul>`}
    </div>`;
}

/** A date and time as the user reads it, in their time zone, the zone named. */
export function when(value) {
  if (!value) return "";
  return new Date(value).toLocaleString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  });
}


/**
 * A group of checkboxes in a fieldset whose legend names the question. `value` is the
 * list of checked option values; `options` are [value, text] pairs.
 */
export function Checkboxes({ name, legend, hint, error, value, onChange, options }) {
  const id = fieldId(name);
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  const toggle = (option, checked) =>
    onChange(checked ? options.map(([v]) => v).filter((v) => v === option || value.includes(v)) : value.filter((v) => v !== option));
  return html`
    <fieldset class=${`field plain${error ? " has-error" : ""}`} aria-describedby=${describedBy} id=${id} tabindex="-1">
      <legend>${legend}</legend>
      ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
      ${error && html`<p class="error-message" id=${`${id}-error`}><span class="visually-hidden">Error: </span>${error}</p>`}
      <div class=${options.length > 6 ? "choices columns" : "choices"}>
        ${options.map(([v, text]) => html`<label class="checkbox">
          <input type="checkbox" name=${name} value=${v} checked=${value.includes(v)}
            onChange=${(e) => toggle(v, e.currentTarget.checked)} /> ${text}</label>`)}
      </div>
    </fieldset>`;
}

/**
 * One yes-or-no question: a checkbox with its label beside it and its hint under the
 * label. `value` is whether it is ticked.
 */
export function Checkbox({ name, label, hint, error, value, onChange }) {
  const id = fieldId(name);
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  return html`
    <div class=${`field yes-no${error ? " has-error" : ""}`}>
      ${error && html`<p class="error-message" id=${`${id}-error`}><span class="visually-hidden">Error: </span>${error}</p>`}
      <input type="checkbox" id=${id} name=${name} checked=${value} aria-describedby=${describedBy}
        aria-invalid=${error ? "true" : undefined} onChange=${(e) => onChange(e.currentTarget.checked)} />
      <label for=${id}>${label}</label>
      ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    </div>`;
}

/** Radio buttons in a fieldset; `options` are [value, text, hint?] triples. */
export function Radios({ name, legend, hint, error, value, onChange, options }) {
  const id = fieldId(name);
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  return html`
    <fieldset class=${`field plain${error ? " has-error" : ""}`} aria-describedby=${describedBy} id=${id} tabindex="-1">
      <legend>${legend}</legend>
      ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
      ${error && html`<p class="error-message" id=${`${id}-error`}><span class="visually-hidden">Error: </span>${error}</p>`}
      ${options.map(([v, text, more]) => {
        const choiceId = `${id}-${v}`;
        return html`<div class="choice">
          <input type="radio" id=${choiceId} name=${name} value=${v} checked=${v === value} onChange=${() => onChange(v)}
            aria-describedby=${more ? `${choiceId}-hint` : undefined} />
          <label for=${choiceId}>${text}</label>
          ${more && html`<p class="hint" id=${`${choiceId}-hint`}>${more}</p>`}
        </div>`;
      })}
    </fieldset>`;
}

/**
 * "All" or "only these", made explicit: an empty list means all to the API, which a
 * row of unticked boxes would not say to a person. "Only these" with none ticked is
 * incomplete: it says so, and `incompleteChoices()` keeps the form from being sent.
 * Choosing "all" and back brings the ticks back.
 */
export function ScopePicker({ name, legend, allText, someText, error, value, onChange, options }) {
  const [some, setSome] = useState(value.length > 0);
  const [ticked, setTicked] = useState(value);
  const choose = (mode) => {
    setSome(mode === "some");
    if (mode === "all") {
      setTicked(value);
      onChange([]);
    } else {
      onChange(ticked);
    }
  };
  const incomplete = some && value.length === 0;
  return html`<div class="scope-picker" data-incomplete=${incomplete ? name : undefined} data-legend=${legend}>
    <${Radios} name=${`${name}-mode`} legend=${legend} error=${error} value=${some ? "some" : "all"} onChange=${choose}
      options=${[["all", allText], ["some", someText]]} />
    ${some && html`<${Checkboxes} name=${name} legend=${someText} value=${value} onChange=${onChange} options=${options}
      error=${incomplete ? `Tick at least one, or choose “${allText}”` : undefined} />`}
  </div>`;
}

/**
 * The server's words as a sentence: "this link has expired" → "This link has expired."
 * An email address at the start stays as it is.
 * @param {string} text
 */
export function sentence(text) {
  const trimmed = (text || "").trim();
  if (!trimmed) return "";
  const capital = /^\S*@/.test(trimmed) ? trimmed : trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * A Problem the app makes itself (a form checked before sending, or an answer it words
 * better than the server), with a message for each field at fault.
 * @param {Record<string, string>} fields
 * @param {string} [detail]
 */
export function problemWith(fields, detail = "Some fields need attention.") {
  const problem = new Problem(422, { detail });
  problem.fields = fields;
  return problem;
}

/**
 * A Problem naming each "only these" choice left with nothing ticked, or null: forms
 * check it before sending, because the API would read an empty list as "all".
 */
export function incompleteChoices() {
  const pickers = /** @type {HTMLElement[]} */ ([...document.querySelectorAll(".scope-picker[data-incomplete]")]);
  if (pickers.length === 0) return null;
  const problem = new Problem(422, { detail: "Some choices are incomplete." });
  for (const picker of pickers) {
    problem.fields[picker.dataset.incomplete] = `${picker.dataset.legend}: tick at least one, or choose all`;
  }
  return problem;
}

/**
 * A form's submit handler: while an "only these" choice is left empty nothing is sent
 * and the form says why; otherwise `send` runs, the button disabled through `setBusy`,
 * and a refusal is shown. On success the form stays busy: the screen moves on.
 * @param {(problem: any) => void} setProblem
 * @param {() => Promise<void>} send
 * @param {(busy: boolean) => void} [setBusy]
 */
export function submitting(setProblem, send, setBusy = () => {}) {
  /** @param {Event} event */
  return async (event) => {
    event.preventDefault();
    const incomplete = incompleteChoices();
    if (incomplete) {
      setProblem(incomplete);
      return;
    }
    setBusy(true);
    try {
      await send();
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  };
}

/** Previous and next page of a list; `of` is the API's `page` object. */
export function Pager({ page, of, onPage }) {
  const pages = Math.max(1, Math.ceil(of.total / of.per_page));
  return html`<nav class="pager" aria-label="Pages">
    <button type="button" class="secondary" disabled=${page <= 1} onClick=${() => onPage(page - 1)}>Previous page</button>
    <span>Page ${page} of ${pages}</span>
    <button type="button" class="secondary" disabled=${page >= pages} onClick=${() => onPage(page + 1)}>Next page</button>
  </nav>`;
}
