// @ts-check
// One file of the media library: its description, where it is used, replacing its
// file, and deleting it (refused, and explained, while content uses it).

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { deleteAsset, getAsset, replaceAssetFile, updateAsset } from "../api/assets.js";
import { getItem } from "../api/items.js";
import { pathOf } from "../kinds.js";
import { differs, navigate, useLeaveWarning } from "../navigation.js";
import { ErrorSummary, TextField, when } from "../widgets/forms.js";
import { size } from "../widgets/names.js";

/** @typedef {import("../api/assets.js").Asset} Asset */
/** @typedef {import("../api/assets.js").AssetDetail} AssetDetail */
/** @typedef {import("../api/session.js").Me} Me */
/** @typedef {import("../api/http.js").Problem} Problem */

/**
 * An item using the file, by its title.
 * @param {{ use: AssetDetail["used_by"][number] }} props
 */
function Use({ use }) {
  const path = pathOf(use.kind);
  const [title, setTitle] = useState(null);
  useEffect(() => {
    getItem(path, use.id)
      .then((item) => setTitle(item.translations[0]?.draft.title || null))
      .catch(() => setTitle(null));
  }, [use.id]);
  return html`<li><a href=${`/admin/${path}/${use.id}`}>${title || `a ${use.kind}`}</a> (${use.kind})</li>`;
}

/**
 * What the details form holds for `asset`.
 * @param {Asset} asset
 */
const assetForm = (asset) => ({ file_name: asset.file_name, title: asset.title, alt: asset.alt });

/** @param {{ id: string, me: Me }} props */
export function MediaItem({ id, me }) {
  const [detail, setDetail] = useState(/** @type {AssetDetail | null} */ (null));
  const [form, setForm] = useState(/** @type {ReturnType<typeof assetForm> | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [notice, setNotice] = useState(/** @type {string | null} */ (null));
  const [replacing, setReplacing] = useState(/** @type {{ file: File, loaded: number, total: number, cancel: () => void } | null} */ (null));

  const load = () =>
    getAsset(id)
      .then((data) => {
        setDetail(data);
        const a = data.asset;
        setForm(assetForm(a));
        document.title = `${a.file_name} – Media – buysocial`;
      })
      .catch(setProblem);
  useEffect(() => {
    setDetail(null);
    load();
  }, [id]);
  useLeaveWarning(differs(form, detail && assetForm(detail.asset)), "This file's details have unsaved changes. Leave without saving them?");

  if (!detail) return problem ? html`<h1>This file could not be opened</h1><p>${problem.message}</p>` : html`<p role="status">Loading…</p>`;
  const asset = detail.asset;
  const editable = me.permissions.manage_assets;
  const set = (name) => (value) => setForm({ ...form, [name]: value });

  const save = async (event) => {
    event.preventDefault();
    setProblem(null);
    try {
      const data = await updateAsset(id, form);
      // Saved is no longer unsaved, already while the file is read again.
      setDetail({ ...detail, asset: data });
      setNotice("Details saved.");
      await load();
    } catch (error) {
      setProblem(error);
    }
  };
  const remove = async () => {
    if (!window.confirm(`Delete ${asset.file_name}? It cannot be brought back.`)) return;
    setProblem(null);
    try {
      await deleteAsset(id);
      navigate("/admin/media", { replace: true, asking: false });
    } catch (error) {
      if (error.type.endsWith(":asset-in-use")) {
        error.message = "This file cannot be deleted while content uses it. Remove it from the items listed under “Where it is used” first, or replace the file instead.";
        await load();
      }
      setProblem(error);
    }
  };
  const replace = (file) => {
    const { promise, cancel } = replaceAssetFile(id, file, ({ loaded, total }) =>
      setReplacing({ file, loaded, total, cancel }));
    setReplacing({ file, loaded: 0, total: file.size, cancel });
    promise
      .then((created) => {
        setReplacing(null);
        navigate(`/admin/media/${created.id}`, { replace: true, asking: false });
      })
      .catch((error) => {
        setReplacing(null);
        setProblem(error);
      });
  };

  return html`
    <p><a href="/admin/media">Back to the media</a></p>
    <h1>${asset.file_name}</h1>
    <p>${asset.content_type}, ${size(asset.size)}, uploaded ${when(asset.created_at)}.</p>
    ${notice && html`<p class="notice success" role="status">${notice}</p>`}
    <${ErrorSummary} problem=${problem} labels=${{ file_name: "File name", title: "Title", alt: "Alternative text" }} />
    <h2>Where it is used</h2>
    ${detail.used_by.length === 0
      ? html`<p>Nothing uses this file.</p>`
      : html`<ul>${detail.used_by.map((use) => html`<${Use} key=${use.id} use=${use} />`)}</ul>`}
    <h2>Description</h2>
    <form onSubmit=${save} novalidate>
      <fieldset disabled=${!editable} class="plain">
        <legend class="visually-hidden">Description</legend>
        <${TextField} name="file_name" label="File name" value=${form.file_name} onInput=${set("file_name")} error=${problem?.fields?.file_name} />
        <${TextField} name="title" label="Title" value=${form.title} onInput=${set("title")} error=${problem?.fields?.title} />
        <${TextField} name="alt" label="Alternative text" hint="What an image shows, for people who cannot see it." value=${form.alt} onInput=${set("alt")} error=${problem?.fields?.alt} />
      </fieldset>
      ${editable && html`<div class="actions"><button type="submit">Save description</button></div>`}
    </form>
    ${editable && html`
      <h2>Replace the file</h2>
      <p>Drafts using it switch to the new file; published content keeps this one until it is published again.</p>
      <div class="field"><label for="replace-file">Choose the new file</label>
        <input id="replace-file" type="file" onChange=${(e) => e.currentTarget.files[0] && replace(e.currentTarget.files[0])} /></div>
      ${replacing && html`<p><progress max=${replacing.total} value=${replacing.loaded} aria-label=${`Upload of ${replacing.file.name}`}></progress>
        ${size(replacing.loaded)} of ${size(replacing.total)}
        <button type="button" class="secondary" onClick=${replacing.cancel}>Cancel upload</button></p>`}
      <h2>Delete</h2>
      <div class="actions"><button type="button" class="warning" onClick=${remove}>Delete this file</button></div>`}`;
}
