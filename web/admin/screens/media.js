// The media library: uploads with real progress (bytes sent of total, speed, time left,
// Cancel), image thumbnails, filters by type and use, and a row per file.

import { html, useEffect, useRef, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { dataUrl, get, upload } from "../api.js";
import { ErrorSummary, Select, TextField, when, Pager } from "./forms.js";

const TYPES = [
  ["", "Any type"],
  ["application/pdf", "PDF documents"],
  ["application/vnd.openxmlformats-officedocument.presentationml.presentation", "Presentations (PowerPoint)"],
  ["image/", "Images"],
  ["video/", "Videos"],
];
const USES = [["", "In use or not"], ["true", "In use"], ["false", "Not used"]];

export function size(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

function Thumbnail({ asset }) {
  const [src, setSrc] = useState(null);
  useEffect(() => {
    if (!asset.content_type.startsWith("image/")) return undefined;
    let current = true;
    dataUrl(asset.url).then((made) => current && setSrc(made));
    return () => {
      current = false;
    };
  }, [asset.id]);
  if (src) return html`<img class="thumb" src=${src} alt=${asset.alt || ""} />`;
  const kind = asset.content_type.split("/").pop().split(".").pop().toUpperCase().slice(0, 12);
  return html`<span class="type-badge" aria-hidden="true">${kind}</span>`;
}

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
      const { promise, cancel } = upload("/api/v1/admin/assets", file, {}, ({ loaded, total }) =>
        update(id, { loaded, total }));
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

export function Media({ me }) {
  const [type, setType] = useState("");
  const [used, setUsed] = useState("");
  const [q, setQ] = useState("");
  const [query, setQuery] = useState({ type: "", used: "", q: "" });
  const [page, setPage] = useState(1);
  const [result, setResult] = useState(null);
  const [problem, setProblem] = useState(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    document.title = "Media – buysocial";
  }, []);
  useEffect(() => {
    const search = new URLSearchParams({ page: String(page), per_page: "20" });
    for (const [k, v] of Object.entries(query)) if (v) search.set(k, v);
    get(`/api/v1/admin/assets?${search}`).then(({ data }) => setResult(data)).catch(setProblem);
  }, [query, page, reload]);

  return html`
    <h1>Media</h1>
    ${me.permissions.upload_assets && html`<${UploadZone} onUploaded=${() => setReload((n) => n + 1)} />`}
    <${ErrorSummary} problem=${problem} />
    <form class="filters" role="search" aria-label="Find files" onSubmit=${(e) => {
      e.preventDefault();
      setPage(1);
      setQuery({ type, used, q });
    }}>
      <${TextField} name="q" label="Search" type="search" value=${q} onInput=${setQ} />
      <${Select} name="type" label="Type" value=${type} onChange=${setType} options=${TYPES} />
      <${Select} name="used" label="Use" value=${used} onChange=${setUsed} options=${USES} />
      <button type="submit" class="secondary">Apply filters</button>
    </form>
    ${result && result.items.length === 0 && html`<p>No files here yet.${me.permissions.upload_assets ? " Drop a presentation above to add the first one." : ""}</p>`}
    ${result && result.items.length > 0 && html`
      <table class="responsive">
        <caption class="visually-hidden">Files, ${result.page.total} in all</caption>
        <thead><tr><th scope="col">Preview</th><th scope="col">Name</th><th scope="col">Title</th><th scope="col">Size</th><th scope="col">Uploaded</th></tr></thead>
        <tbody>${result.items.map((asset) => html`<tr key=${asset.id}>
          <td data-label="Preview"><${Thumbnail} asset=${asset} /></td>
          <td data-label="Name" class="long"><a href=${`/admin/media/${asset.id}`}>${asset.file_name}</a></td>
          <td data-label="Title">${asset.title}</td>
          <td data-label="Size">${size(asset.size)}</td>
          <td data-label="Uploaded">${when(asset.created_at)}</td>
        </tr>`)}</tbody>
      </table>
      <${Pager} page=${page} of=${result.page} onPage=${setPage} />`}`;
}
