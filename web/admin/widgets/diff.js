// @ts-check
// Word-level differences between two texts, for showing what changed in a source:
// inserted words underlined (<ins>), removed ones struck through (<del>). Markdown stays
// as written, so a changed heading or list item shows as its words changing.

import { html } from "../vendor/htm-preact-standalone-3.1.1.js";

/** Past this many word pairs, a field is shown as replaced whole (keeps it quick). */
const MAX_CELLS = 1_000_000;

function tokens(text) {
  return (text || "").split(/(\s+)/).filter((t) => t !== "");
}

/** [["same"|"ins"|"del", text], ...] turning `before` into `after`. */
export function diffWords(before, after) {
  const a = tokens(before);
  const b = tokens(after);
  if (a.length * b.length > MAX_CELLS) {
    return [["del", before || ""], ["ins", after || ""]].filter(([, t]) => t);
  }
  // Longest common subsequence, from the end.
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const parts = [];
  const push = (op, text) => {
    const last = parts[parts.length - 1];
    if (last && last[0] === op) last[1] += text;
    else parts.push([op, text]);
  };
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      push("same", a[i]);
      i += 1;
      j += 1;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      push("del", a[i]);
      i += 1;
    } else {
      push("ins", b[j]);
      j += 1;
    }
  }
  while (i < a.length) push("del", a[i++]);
  while (j < b.length) push("ins", b[j++]);
  return parts;
}

export function Diff({ before, after }) {
  return html`<div class="diff">${diffWords(before, after).map(([op, text]) =>
    op === "ins" ? html`<ins>${text}</ins>` : op === "del" ? html`<del>${text}</del>` : text)}</div>`;
}
