// Form parts in the GOV.UK pattern: a label above each field, hint text, the error
// repeated next to its field, and a summary at the top linking to each one.

import { html, useEffect, useRef } from "../vendor/htm-preact-standalone-3.1.1.js";

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

