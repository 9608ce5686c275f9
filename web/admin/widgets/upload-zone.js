// @ts-check
// An upload zone: drop files or choose them, each sent with real progress (bytes sent
// of total, speed, time left, Cancel) and its error in its own row.

import { html, useRef, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { uploadAsset } from "../api/assets.js";
import { size } from "./names.js";

/** One file on its way up: progress in bytes, speed and time left, or its error. */
function UploadRow({ item, onCancel }) {
  const { file, loaded, total, started, state, problem } = item;
  const seconds = (Date.now() - started) / 1000;
  const speed = seconds > 0.5 ? loaded / seconds : 0;
  const left = speed > 0 ? Math.max(0, Math.round((total - loaded) / speed)) : null;
  const words = state === "done" ? "Uploaded"
    : state === "failed" ? problem.message
    : `${size(loaded)} of ${size(total)}${speed ? `, ${size(speed)}/s` : ""}${left !== null ? `, about ${left} s left` : ""}`;
  return html`<li class=${`upload ${state}`}>
    <span class="name">${file.name}</span>
    ${state === "sending" && html`<progress max=${total} value=${loaded} aria-label=${`Upload of ${file.name}`}>${Math.round((loaded / total) * 100)}%</progress>`}
    <span class="words">${words}</span>
    ${/* Announced once at the end, not at every progress event. */ ""}
    ${state !== "sending" && html`<span class="visually-hidden" role=${state === "failed" ? "alert" : "status"}>${file.name}: ${words}</span>`}
    ${state === "sending" && html`<button type="button" class="secondary" onClick=${onCancel}>Cancel upload of ${file.name}</button>`}
  </li>`;
}

export function UploadZone({ onUploaded, label = "Drop files here or choose files", accept }) {
  const [uploads, setUploads] = useState([]);
  const [over, setOver] = useState(false);
  const cancels = useRef({});
  const input = useRef(null);

  const update = (id, change) => setUploads((all) => all.map((u) => (u.id === id ? { ...u, ...change } : u)));
  const start = (files) => {
    for (const file of files) {
      const id = `${Date.now()}-${Math.random()}`;
      const item = { id, file, loaded: 0, total: file.size, started: Date.now(), state: "sending" };
      setUploads((all) => [item, ...all]);
      const { promise, cancel } = uploadAsset(file, ({ loaded, total }) => update(id, { loaded, total }));
      cancels.current[id] = cancel;
      promise
        .then((asset) => {
          update(id, { state: "done", loaded: file.size });
          onUploaded(asset);
        })
        .catch((problem) => update(id, { state: "failed", problem }))
        .finally(() => delete cancels.current[id]);
    }
  };
  return html`
    <div class=${`dropzone${over ? " over" : ""}`}
      onDragOver=${(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave=${() => setOver(false)}
      onDrop=${(e) => { e.preventDefault(); setOver(false); start([...e.dataTransfer.files]); }}>
      <label for="upload-files">${label}</label>
      <input id="upload-files" type="file" multiple accept=${accept} ref=${input}
        onChange=${(e) => { start([...e.currentTarget.files]); e.currentTarget.value = ""; }} />
    </div>
    ${uploads.length > 0 && html`<ul class="uploads" aria-label="Uploads">
      ${uploads.map((u) => html`<${UploadRow} key=${u.id} item=${u} onCancel=${() => cancels.current[u.id]?.()} />`)}
    </ul>`}`;
}
