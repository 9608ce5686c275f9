// @ts-check
// The body as publishing renders it, asked of the server; beside the text on a wide
// screen, in turns (Write, Preview) on a narrow one.

import { html, useEffect, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { renderMarkdown } from "../../api/translations.js";

/** @typedef {import("../../api/http.js").Problem} Problem */

/** Whether the screen is wide enough to preview beside the text (as styles.css says). */
export function useWide() {
  const query = "(min-width: 90rem)";
  const [wide, setWide] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const change = () => setWide(list.matches);
    list.addEventListener("change", change);
    return () => list.removeEventListener("change", change);
  }, []);
  return wide;
}

/**
 * The body as publishing renders it; beside the text, `delay` ms after typing stops.
 * @param {{ markdown: string, delay?: number }} props
 */
export function MarkdownPreview({ markdown, delay = 0 }) {
  const [rendered, setRendered] = useState(/** @type {string | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      renderMarkdown(markdown)
        .then((body) => {
          if (!current) return;
          setProblem(null);
          setRendered(body);
        })
        .catch((error) => current && setProblem(error));
    }, delay);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [markdown]);
  if (problem) return html`<p class="error-message">${problem.message}</p>`;
  if (rendered === null) return html`<p role="status">Rendering the preview…</p>`;
  // The server's sanitized HTML, exactly as publishing renders it.
  return html`<div class="preview" aria-label="Body preview" dangerouslySetInnerHTML=${{ __html: rendered }}></div>`;
}
