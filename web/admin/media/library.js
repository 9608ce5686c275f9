// @ts-check
// The media library: uploads with real progress (see the upload zone), image
// thumbnails, filters by type and use, and a row per file.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { listAssets, thumbnailOf } from "../api/assets.js";
import { ErrorSummary, Select, TextField, when, Pager } from "../widgets/forms.js";
import { size } from "../widgets/names.js";
import { UploadZone } from "../widgets/upload-zone.js";

/** @typedef {import("../api/assets.js").Asset} Asset */
/** @typedef {import("../api/assets.js").AssetList} AssetList */
/** @typedef {import("../api/session.js").Me} Me */

const TYPES = [
  ["", "Any type"],
  ["application/pdf", "PDF documents"],
  ["application/vnd.openxmlformats-officedocument.presentationml.presentation", "Presentations (PowerPoint)"],
  ["image/", "Images"],
  ["video/", "Videos"],
];
const USES = [["", "In use or not"], ["true", "In use"], ["false", "Not used"]];

/** @param {{ asset: Asset }} props */
function Thumbnail({ asset }) {
  const [src, setSrc] = useState(null);
  useEffect(() => {
    if (!asset.content_type.startsWith("image/")) return undefined;
    let current = true;
    thumbnailOf(asset).then((made) => current && setSrc(made));
    return () => {
      current = false;
    };
  }, [asset.id]);
  if (src) return html`<img class="thumb" src=${src} alt=${asset.alt || ""} />`;
  const kind = asset.content_type.split("/").pop().split(".").pop().toUpperCase().slice(0, 12);
  return html`<span class="type-badge" aria-hidden="true">${kind}</span>`;
}

/** @param {{ me: Me }} props */
export function Media({ me }) {
  const [type, setType] = useState("");
  const [used, setUsed] = useState("");
  const [q, setQ] = useState("");
  const [query, setQuery] = useState({ type: "", used: "", q: "" });
  const [page, setPage] = useState(1);
  const [result, setResult] = useState(/** @type {AssetList | null} */ (null));
  const [problem, setProblem] = useState(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    document.title = "Media – buysocial";
  }, []);
  useEffect(() => {
    const used = query.used === "" ? undefined : query.used === "true";
    listAssets({ type: query.type, used, q: query.q, page, per_page: 20 }).then(setResult).catch(setProblem);
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
