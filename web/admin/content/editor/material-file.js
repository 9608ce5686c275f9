// @ts-check
// A material's file in one language: one from the media library, or a new upload.

import { html, useEffect, useState } from "../../vendor/htm-preact-standalone-3.1.1.js";
import { listAssets } from "../../api/assets.js";
import { size } from "../../widgets/names.js";
import { UploadZone } from "../../widgets/upload-zone.js";

/** @typedef {import("../../api/assets.js").Asset} Asset */

/** The file readers download in this language: one from the library, or a new upload. */
/** @param {{ fileId: string | null, onChoose: (id: string | null) => void, locale: string }} props */
export function MaterialFile({ fileId, onChoose, locale }) {
  const [files, setFiles] = useState(/** @type {Asset[]} */ ([]));
  const [reload, setReload] = useState(0);
  useEffect(() => {
    listAssets({ per_page: 100 })
      .then((list) => setFiles(list.items.filter((a) => !a.content_type.startsWith("image/"))))
      .catch(() => setFiles([]));
  }, [reload]);
  const chosen = files.find((f) => f.id === fileId);
  return html`
    <fieldset class="field">
      <legend>File (${locale.toUpperCase()})</legend>
      <p class="hint">${chosen ? `${chosen.file_name}, ${size(chosen.size)}` : fileId ? "A file is attached." : "No file yet."}</p>
      <div class="field">
        <label for="material-file">File from the media library</label>
        <select id="material-file" onChange=${(e) => onChoose(e.currentTarget.value || null)}>
          <option value="" selected=${!fileId}>No file</option>
          ${files.map((f) => html`<option value=${f.id} selected=${f.id === fileId}>${f.file_name} (${size(f.size)})</option>`)}
        </select>
      </div>
      <${UploadZone} label="Or upload the file for this translation"
        onUploaded=${(asset) => { setReload((n) => n + 1); onChoose(asset.id); }} />
    </fieldset>`;
}
