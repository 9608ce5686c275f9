// One item: its language-neutral details, one tab per translation, the translation's
// fields with a Markdown preview rendered by the server exactly as publishing renders
// it, and Save draft / Publish / Unpublish. Every save sends If-Match; a 412 opens the
// conflict panel, where neither text is lost. What is typed is kept in this browser
// until it is saved, so a reload or an expired session loses nothing.

import { html, useEffect, useLayoutEffect, useMemo, useRef, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { get, post, put, request } from "../api.js";
import { navigate, useLeaveWarning } from "../navigation.js";
import { ErrorSummary, Radios, Select, TextArea, TextField, when } from "./forms.js";
import { NeutralFields } from "./neutral.js";
import { CountriesAndTags } from "./countries-and-tags.js";
import { MarkdownToolbar } from "./markdown-toolbar.js";
import { UploadZone, size } from "./media.js";
import { SourcePanel } from "./source.js";
import { Diff } from "./diff.js";
import { languageWord } from "./names.js";

const TEXT_FIELDS = [
  ["title", "Title"],
  ["slug", "Slug"],
  ["summary", "Summary"],
  ["body", "Body"],
  ["seo_title", "SEO title"],
  ["seo_description", "SEO description"],
];

const EMPTY = { title: "", slug: "", summary: "", body: "", seo_title: "", seo_description: "" };

function textsOf(translation) {
  if (!translation) return { ...EMPTY };
  const draft = translation.draft;
  return Object.fromEntries(TEXT_FIELDS.map(([name]) => [name, draft[name] ?? ""]));
}

function same(a, b) {
  return TEXT_FIELDS.every(([name]) => (a[name] ?? "") === (b[name] ?? ""));
}

/** Where the typed text of one translation is kept until it is saved. */
function localKey(me, id, locale) {
  return `buysocial.unsaved.${me.user?.id ?? "token"}.${id}.${locale}`;
}

function statusWords(translation) {
  if (!translation) return "not written";
  if (translation.in_review) return "in review";
  if (translation.outdated) return "outdated";
  if (translation.schedules.length > 0) return "scheduled";
  return translation.status;
}

function Tabs({ kind, item, locale, permissions }) {
  const present = item.translations.map((t) => t.locale);
  const addable = permissions.write_locales.filter((l) => !present.includes(l));
  return html`
    <nav class="tabs" aria-label="Translations">
      ${item.translations.map((t) => html`<a href=${`/admin/${kind.path}/${item.id}?locale=${t.locale}`}
        aria-current=${t.locale === locale ? "page" : undefined}>${t.locale.toUpperCase()} ${statusWords(t)}</a>`)}
    </nav>
    ${addable.length > 0 && html`<form class="inline-fields" onSubmit=${(e) => {
      e.preventDefault();
      const chosen = new FormData(e.currentTarget).get("new_locale");
      navigate(`/admin/${kind.path}/${item.id}?locale=${chosen}`);
    }}>
      <div class="field"><label for="new-locale">Add a translation</label>
        <select id="new-locale" name="new_locale">
          ${addable.map((l) => html`<option value=${l}>${l.toUpperCase()}</option>`)}
        </select></div>
      <div class="field"><button type="submit" class="secondary">Add translation</button></div>
    </form>`}`;
}

/** The 412 panel: the version saved meanwhile beside the editor's, field by field. */
function Conflict({ mine, theirs, heading, onResolve, onCancel }) {
  const title = useRef(null);
  useEffect(() => {
    if (title.current) title.current.focus();
  }, []);
  const differing = TEXT_FIELDS.filter(([name]) => (mine[name] ?? "") !== (theirs[name] ?? ""));
  const [choice, setChoice] = useState(() => Object.fromEntries(differing.map(([n]) => [n, "mine"])));
  const merged = () => {
    const result = { ...theirs };
    for (const [name] of TEXT_FIELDS) result[name] = choice[name] === "theirs" ? theirs[name] : mine[name];
    return result;
  };
  return html`
    <section class="conflict" aria-labelledby="conflict-title">
      <h2 id="conflict-title" tabindex="-1" ref=${title}>${heading}</h2>
      <p>Your text is not lost. For each field that differs, keep yours or take theirs, then save.</p>
      ${differing.map(([name, label]) => html`
        <fieldset class="field">
          <legend>${label}</legend>
          <div class="pair">
            <div><h3>Yours</h3><pre>${mine[name]}</pre></div>
            <div><h3>Saved meanwhile</h3><pre>${theirs[name]}</pre></div>
          </div>
          <div class="difference" role="group" aria-label=${`How theirs differs from yours (${label})`}>
            <p class="hint">How theirs differs from yours: underlined only in theirs, struck through only in yours.</p>
            <${Diff} before=${mine[name]} after=${theirs[name]} />
          </div>
          <label><input type="radio" name=${`choice-${name}`} checked=${choice[name] === "mine"}
            onChange=${() => setChoice({ ...choice, [name]: "mine" })} /> Keep mine (${label})</label>
          <label><input type="radio" name=${`choice-${name}`} checked=${choice[name] === "theirs"}
            onChange=${() => setChoice({ ...choice, [name]: "theirs" })} /> Take theirs (${label})</label>
        </fieldset>`)}
      <div class="actions">
        <button type="button" onClick=${() => onResolve(merged())}>Save merged</button>
        <button type="button" class="secondary" onClick=${() => onResolve(theirs, true)}>Take all of theirs</button>
        <button type="button" class="secondary" onClick=${onCancel}>Back to my text</button>
      </div>
    </section>`;
}

/** Whether the screen is wide enough to preview beside the text (as styles.css says). */
function useWide() {
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

/** The body as publishing renders it; beside the text, `delay` ms after typing stops. */
function MarkdownPreview({ markdown, delay = 0 }) {
  const [rendered, setRendered] = useState(null);
  const [problem, setProblem] = useState(null);
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      post("/api/v1/admin/markdown", { markdown })
        .then(({ data }) => current && (setProblem(null), setRendered(data.html)))
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

export function ItemEditor({ kind, id, me }) {
  const locale = new URLSearchParams(window.location.search).get("locale");
  const [item, setItem] = useState(null);
  const [problem, setProblem] = useState(null);
  const [loadProblem, setLoadProblem] = useState(null);
  const [texts, setTexts] = useState(EMPTY);
  const [saved, setSaved] = useState(null);
  const [conflict, setConflict] = useState(null);
  const [previewing, setPreviewing] = useState(false);
  // Narrower screens take turns (Write, Preview) and ask the server for no preview.
  const wide = useWide();
  const [restored, setRestored] = useState(false);
  const [busy, setBusy] = useState(false);
  const [fileId, setFileId] = useState(null);
  // The newest source revision shown beside the draft: a save follows it.
  const [sourceRevision, setSourceRevision] = useState(null);
  const [reviewComment, setReviewComment] = useState("");
  const currentId = useRef(id);
  const latestTexts = useRef(texts);
  latestTexts.current = texts;

  const active = item && (locale || item.source_locale);
  const translation = item && item.translations.find((t) => t.locale === active);
  const permissions = item ? item.permissions : null;
  const server = useMemo(() => textsOf(translation), [translation]);
  const serverFile = translation?.draft.file_asset_id ?? null;
  const dirty = item !== null && (!same(texts, server) || (kind.path === "materials" && fileId !== serverFile));
  const canWrite = permissions && permissions.write_locales.includes(active);
  const canPublish = permissions && permissions.publish_locales.includes(active);
  // A scheduled publication publishes the draft it was scheduled with: saving a new one
  // says what happens to it (keep it, for whoever may publish; or cancel it).
  const scheduledPublish = translation?.schedules.find((s) => s.action === "publish") ?? null;
  const [keepSchedule, setKeepSchedule] = useState("keep");
  const scheduleChoice = canPublish ? keepSchedule : "cancel";

  const load = async () => {
    const asked = id;
    try {
      const { data } = await get(`/api/v1/admin/${kind.path}/${id}`);
      // A reply for an item no longer open is dropped.
      if (asked !== currentId.current) return null;
      setItem(data);
      setLoadProblem(null);
      return data;
    } catch (error) {
      if (asked === currentId.current) setLoadProblem(error);
      return null;
    }
  };

  useEffect(() => {
    currentId.current = id;
    setItem(null);
    load();
  }, [kind, id]);

  // What belongs to one translation does not follow the editor to another.
  useEffect(() => {
    setSaved(null);
    setConflict(null);
    setProblem(null);
    setPreviewing(false);
  }, [id, active]);

  // A new tab, or the item loaded: the form shows the draft, or the copy kept here.
  // Before the browser paints (a layout effect), so that nothing typed into the form
  // as it appears can be overwritten by the draft a moment later.
  useLayoutEffect(() => {
    if (!item) return;
    const kept = localStorage.getItem(localKey(me, id, active));
    const base = textsOf(item.translations.find((t) => t.locale === active));
    if (kept) {
      const copy = JSON.parse(kept);
      setTexts(copy);
      setRestored(!same(copy, base));
    } else {
      setTexts(base);
      setRestored(false);
    }
    setFileId(item.translations.find((t) => t.locale === active)?.draft.file_asset_id ?? null);
    const title = base.title || "New translation";
    document.title = `${title} (${active.toUpperCase()}) – buysocial`;
  }, [item?.id, active]);

  // Keep what is typed; ask before leaving with unsaved changes.
  useEffect(() => {
    if (!item) return;
    if (dirty) localStorage.setItem(localKey(me, id, active), JSON.stringify(texts));
    else localStorage.removeItem(localKey(me, id, active));
  }, [dirty, texts]);
  useLeaveWarning(Boolean(item) && dirty,
    "This translation has unsaved changes. Leave without saving them? (A copy stays in this browser.)");

  const set = (name) => (value) => setTexts({ ...texts, [name]: value });

  const save = async (values = texts, etag = translation?.etag) => {
    const locale = active;
    // What the form held when saving began: after a merge that is the editor's own
    // text, not the merged one that is saved.
    const formAtStart = latestTexts.current;
    setBusy(true);
    setProblem(null);
    const body = { ...values };
    if (!body.slug) delete body.slug;
    if (kind.path === "materials" && fileId) {
      body.file_asset_id = fileId;
    }
    if (locale !== item.source_locale && sourceRevision) body.based_on = sourceRevision;
    if (scheduledPublish) body.schedule = scheduleChoice;
    try {
      await put(`/api/v1/admin/${kind.path}/${id}/translations/${locale}`, body, { ifMatch: etag });
      localStorage.removeItem(localKey(me, id, locale));
      const fresh = await load();
      const stored = fresh && textsOf(fresh.translations.find((t) => t.locale === locale));
      // The form shows what was saved, unless more was typed while the save was on its
      // way: that stays in the form (and unsaved).
      if (stored && same(latestTexts.current, formAtStart)) setTexts(stored);
      setConflict(null);
      setRestored(false);
      setSaved(new Date());
    } catch (error) {
      if (error.status === 412 || error.status === 428) {
        // Saved meanwhile (412), or created meanwhile by someone else (428).
        const fresh = await load();
        const theirs = fresh && fresh.translations.find((t) => t.locale === locale);
        if (theirs) {
          setConflict({ locale, theirs: textsOf(theirs), etag: theirs.etag, at: theirs.draft.updated_at,
            by: theirs.draft.updated_by_name });
        } else {
          error.message = "This translation was removed while you were writing. Your text is still here: save it to write the translation again.";
          setProblem(error);
        }
      } else {
        setProblem(error);
      }
    } finally {
      setBusy(false);
    }
  };

  const act = async (action, body) => {
    setBusy(true);
    setProblem(null);
    try {
      await request("POST", `/api/v1/admin/${kind.path}/${id}/translations/${active}/${action}`, {
        body,
        ifMatch: translation?.etag,
      });
      await load();
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };

  /** Cancels (DELETE) or moves (PATCH with `{at}`) the translation's pending schedule. */
  const changeSchedule = async (method, body) => {
    setBusy(true);
    setProblem(null);
    try {
      await request(method, `/api/v1/admin/${kind.path}/${id}/translations/${active}/schedule`, { body });
      await load();
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };

  const askReview = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await post(`/api/v1/admin/${kind.path}/${id}/translations/${active}/review-request`, { comment: reviewComment });
      setReviewComment("");
      await load();
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };

  const trashItem = async () => {
    const live = item.translations.some((t) => t.live);
    const consequence = live ? " Readers will no longer see any of its translations." : "";
    if (!window.confirm(`Move this ${kind.one} to the trash?${consequence} An administrator can restore it.`)) return;
    try {
      await request("DELETE", `/api/v1/admin/${kind.path}/${id}`, { ifMatch: item.etag });
      navigate(`/admin/${kind.path}`, { asking: false });
    } catch (error) {
      setProblem(error);
    }
  };
  const restoreItem = async () => {
    try {
      await post(`/api/v1/admin/${kind.path}/${id}/restore`);
      await load();
    } catch (error) {
      setProblem(error);
    }
  };

  if (loadProblem) {
    return html`<h1>This ${kind.one} could not be opened</h1><p>${loadProblem.message}</p>
      <p><a href=${`/admin/${kind.path}`}>Back to the ${kind.label.toLowerCase()}</a></p>`;
  }
  if (!item) return html`<p role="status">Loading…</p>`;

  const live = translation?.live;
  const labels = Object.fromEntries(TEXT_FIELDS);
  return html`
    <p><a href=${`/admin/${kind.path}`}>Back to the ${kind.label.toLowerCase()}</a></p>
    <h1 tabindex="-1">${server.title || texts.title || `New ${kind.one}`} <span class="hint">(${kind.one})</span></h1>
    <p>${item.countries.length ? `Countries: ${item.countries.join(", ")}` : "EU-wide"}</p>
    ${item.deleted_at && html`<div class="notice" role="status">This ${kind.one} is in the trash since ${when(item.deleted_at)}.
      ${permissions.trash && html` <button type="button" class="secondary" onClick=${restoreItem}>Restore from the trash</button>`}</div>`}
    <div class="actions">
      <a class="button secondary" href=${`/admin/${kind.path}/${id}/history`}>History</a>
      ${!item.deleted_at && permissions.trash && html`<button type="button" class="warning" onClick=${trashItem}>Move to the trash</button>`}
    </div>
    <${NeutralFields} kind=${kind} item=${item} onSaved=${load} />
    <${CountriesAndTags} kind=${kind} item=${item} me=${me} onSaved=${load} />
    <${Tabs} kind=${kind} item=${item} locale=${active} permissions=${permissions} />
    <h2>${active.toUpperCase()} translation: ${statusWords(translation)}</h2>
    ${live && html`<p>Live since ${when(live.published_at)} as “${live.title}”${live.published_by_name ? `, published by ${live.published_by_name}` : ""}.</p>`}
    ${translation && html`<${OnTheSite} kind=${kind} item=${item} locale=${active} live=${live} />`}
    ${translation?.schedules.map((s) => html`<${PendingSchedule} schedule=${s} canChange=${canPublish} disabled=${busy}
      onCancel=${() => changeSchedule("DELETE")} onMove=${(at) => changeSchedule("PATCH", { at })} />`)}
    ${translation?.failed_schedule && html`<p class="notice warning" role="status">${translation.failed_schedule.action === "publish" ? "Publishing" : "Unpublishing"}
      scheduled for ${when(translation.failed_schedule.at)} did not happen: ${translation.failed_schedule.reason}.</p>`}
    ${restored && html`<div class="notice" role="status">Your unsaved changes from before are back.
      <button type="button" class="secondary" onClick=${() => {
        localStorage.removeItem(localKey(me, id, active));
        setTexts(server);
        setRestored(false);
      }}>Discard them</button></div>`}
    ${!canWrite && html`<p class="notice">You can read this translation; your scope does not let you change it.</p>`}
    ${conflict && conflict.locale === active && html`<${Conflict} mine=${texts} theirs=${conflict.theirs}
      heading=${`${conflict.by || "Someone else"} saved this ${languageWord(active)} translation at ${when(conflict.at)}`}
      onResolve=${(values, takeAll) => (takeAll ? (setTexts(values), setConflict(null), localStorage.removeItem(localKey(me, id, active))) : save(values, conflict.etag))}
      onCancel=${() => setConflict(null)} />`}
    <${ErrorSummary} problem=${problem} labels=${labels} />
    ${translation?.in_review && html`<p class="notice" role="status">A review of this translation is requested; an editor who may publish it will publish it or send it back.</p>`}
    <div class=${active !== item.source_locale ? "side-by-side" : ""}>
    ${active !== item.source_locale && html`<${SourcePanel} kind=${kind} item=${item} locale=${active} canWrite=${canWrite}
      onMarked=${load} onLatest=${setSourceRevision} />`}
    <form class="target" onSubmit=${(e) => { e.preventDefault(); save(); }} novalidate>
      <fieldset disabled=${!canWrite || conflict !== null} class="plain">
        <legend class="visually-hidden">${active.toUpperCase()} translation</legend>
        <${TextField} name="title" label="Title" value=${texts.title} onInput=${set("title")} error=${problem?.fields?.title} />
        <${TextField} name="slug" label="Slug" value=${texts.slug} onInput=${set("slug")} error=${problem?.fields?.slug}
          hint="The end of the item's address. Leave it empty to have it made from the title." />
        <${TextArea} name="summary" label="Summary" rows="3" value=${texts.summary} onInput=${set("summary")} error=${problem?.fields?.summary} />
        <div class="actions body-view-toggle" role="group" aria-label="Body view">
          <button type="button" class="secondary" aria-pressed=${!previewing} onClick=${() => setPreviewing(false)}>Write</button>
          <button type="button" class="secondary" aria-pressed=${previewing} onClick=${() => setPreviewing(true)}>Preview</button>
        </div>
        ${translation?.draft.body_exceeds_limits && html`<p class="notice warning" role="status">This text is shown to readers as plain
          text, without its formatting: ${translation.draft.body_exceeds_limits}. Simplify it before saving it again.</p>`}
        <div class="write-preview">
          <div class="write">
            ${previewing
              ? html`<${MarkdownPreview} markdown=${texts.body} />`
              : html`<${MarkdownToolbar} name="body" value=${texts.body} onInput=${set("body")} disabled=${!canWrite} />
                <${TextArea} name="body" label="Body" rows="14" hint="Markdown: ## for a heading, * for a list, [text](address) for a link."
                  value=${texts.body} onInput=${set("body")} error=${problem?.fields?.body} />`}
          </div>
          ${!previewing && wide && html`<div class="preview-side" role="region" aria-label="Preview beside the text">
            <${MarkdownPreview} markdown=${texts.body} delay=${400} /></div>`}
        </div>
        ${kind.path === "materials" && html`<${MaterialFile} fileId=${fileId} onChoose=${setFileId} locale=${active} />`}
        <${TextField} name="seo_title" label="SEO title" value=${texts.seo_title} onInput=${set("seo_title")} error=${problem?.fields?.seo_title} />
        <${TextArea} name="seo_description" label="SEO description" rows="2" value=${texts.seo_description} onInput=${set("seo_description")} error=${problem?.fields?.seo_description} />
      </fieldset>
      ${canWrite && dirty && scheduledPublish && html`<${ScheduleOnSave} schedule=${scheduledPublish} canPublish=${canPublish}
        value=${scheduleChoice} onChange=${setKeepSchedule} />`}
      <div class="actions">
        ${canWrite && html`<button type="submit" disabled=${busy}>Save draft</button>`}
        ${dirty && html`<span class="unsaved">Unsaved changes</span>`}
        ${!dirty && saved && html`<span class="saved-at" role="status">Saved ${saved.toLocaleTimeString(undefined, { timeStyle: "short" })}</span>`}
        ${canPublish && translation && html`<button type="button" disabled=${busy || dirty}
          aria-describedby=${dirty ? "publish-hint" : undefined}
          onClick=${() => act("publish")}>Publish ${active.toUpperCase()}</button>`}
        ${canPublish && translation && dirty && html`<span class="hint" id="publish-hint">Save your changes before publishing.</span>`}
        ${canWrite && translation && !translation.in_review && html`<button type="button" class="secondary"
          disabled=${busy || dirty} onClick=${askReview}>Ask for review</button>`}
        ${canPublish && live && html`<button type="button" class="warning" disabled=${busy}
          onClick=${() => {
            if (window.confirm(`Unpublish the ${active.toUpperCase()} translation? Readers will no longer see it.`)) act("unpublish");
          }}>Unpublish ${active.toUpperCase()}</button>`}
      </div>
      ${canWrite && translation && !translation.in_review && html`<${TextArea} name="review_comment"
        label="Message for the reviewer (optional)" rows="2" value=${reviewComment} onInput=${setReviewComment} />`}
    </form>
    </div>
    ${canPublish && translation && html`<${Schedule} disabled=${busy || dirty} live=${Boolean(live)}
      onSchedule=${(action, at) => act(action, { at })} locale=${active} />`}`;
}

/** The file readers download in this language: one from the library, or a new upload. */
function MaterialFile({ fileId, onChoose, locale }) {
  const [files, setFiles] = useState([]);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    get("/api/v1/admin/assets?per_page=100")
      .then(({ data }) => setFiles(data.items.filter((a) => !a.content_type.startsWith("image/"))))
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

/**
 * The item on the national sites: "View on site" for each site that shows the live
 * translation, and a preview link to the draft on a site that has a preview route.
 */
function OnTheSite({ kind, item, locale, live }) {
  const [sites, setSites] = useState([]);
  const [site, setSite] = useState("");
  const [link, setLink] = useState(null);
  const [problem, setProblem] = useState(null);
  useEffect(() => {
    get("/api/v1/admin/sites?per_page=100").then(({ data }) => {
      const previewable = data.items.filter((s) => s.preview_url && s.locales.includes(locale)
        && (s.countries.length === 0 || item.countries.length === 0 || s.countries.some((c) => item.countries.includes(c))));
      setSites(previewable);
      setSite(previewable[0]?.code ?? "");
    }).catch(() => setSites([]));
    setLink(null);
  }, [item.id, locale]);
  const preview = async (event) => {
    event.preventDefault();
    setProblem(null);
    try {
      const { data } = await post(`/api/v1/admin/${kind.path}/${item.id}/translations/${locale}/preview-link`, { site });
      setLink(data);
    } catch (error) {
      setProblem(error);
    }
  };
  const viewable = live?.urls ?? [];
  if (viewable.length === 0 && sites.length === 0) return null;
  return html`<section class="on-the-site" aria-labelledby="on-the-site-title">
    <h3 id="on-the-site-title">On the sites</h3>
    ${viewable.length > 0 && html`<ul class="links">${viewable.map((u) => html`<li>
      <a href=${u.url} target="_blank" rel="noopener noreferrer">View on site ${u.site} (live)</a></li>`)}</ul>`}
    ${sites.length > 0 && html`<form class="inline-fields" onSubmit=${preview}>
      <${Select} name="preview_site" label="Preview the draft on" value=${site} onChange=${(v) => { setSite(v); setLink(null); }}
        options=${sites.map((s) => [s.code, `${s.name} (${s.code})`])} />
      <div class="field"><button type="submit" class="secondary">Make a preview link</button></div>
    </form>`}
    ${problem && html`<p class="error-message">${problem.message}</p>`}
    ${link && html`<p role="status"><a href=${link.url} target="_blank" rel="noopener noreferrer">Open the preview on ${link.site}</a>
      <span class="hint"> (works until ${when(link.expires_at)}, for anyone who has the link)</span></p>`}
  </section>`;
}

/** A pending schedule, with Cancel and a new time for whoever may publish. */
function PendingSchedule({ schedule, canChange, disabled, onCancel, onMove }) {
  const [at, setAt] = useState("");
  const words = schedule.action === "publish" ? "Publishing" : "Unpublishing";
  return html`<div class="notice" role="group" aria-label="Scheduled">
    <p>${words} is scheduled for ${when(schedule.at)}.</p>
    ${canChange && html`<form class="inline-fields" onSubmit=${(e) => {
      e.preventDefault();
      if (at) onMove(new Date(at).toISOString());
    }}>
      <${TextField} name="reschedule_at" label="New time" type="datetime-local" step="1"
        hint=${`Your time (${Intl.DateTimeFormat().resolvedOptions().timeZone})`} value=${at} onInput=${setAt} />
      <div class="field"><button type="submit" class="secondary" disabled=${disabled || !at}>Reschedule</button></div>
      <div class="field"><button type="button" class="warning" disabled=${disabled}
        onClick=${() => window.confirm(`Cancel the scheduled ${words.toLowerCase()}?`) && onCancel()}>Cancel the schedule</button></div>
    </form>`}
  </div>`;
}

/** Before saving a scheduled translation: what happens to its scheduled publication. */
function ScheduleOnSave({ schedule, canPublish, value, onChange }) {
  const options = canPublish
    ? [["keep", `Publish this new version at ${when(schedule.at)}`], ["cancel", "Cancel the scheduled publishing"]]
    : [["cancel", "Cancel the scheduled publishing (an editor schedules it again after review)"]];
  return html`<${Radios} name="schedule_on_save" legend=${`Publishing is scheduled for ${when(schedule.at)}. When you save:`}
    value=${value} onChange=${onChange} options=${options} />`;
}

function Schedule({ onSchedule, disabled, locale, live }) {
  const [at, setAt] = useState("");
  const [action, setAction] = useState("publish");
  const words = action === "publish" ? "publishing" : "unpublishing";
  return html`
    <form class="inline-fields" onSubmit=${(e) => {
      e.preventDefault();
      if (at) onSchedule(action, new Date(at).toISOString());
    }}>
      ${live && html`<${Select} name="schedule_action" label="What to schedule" value=${action} onChange=${setAction}
        options=${[["publish", `Publish ${locale.toUpperCase()}`], ["unpublish", `Unpublish ${locale.toUpperCase()}`]]} />`}
      <${TextField} name="schedule_at" label=${`${action === "publish" ? "Publish" : "Unpublish"} ${locale.toUpperCase()} at`} type="datetime-local" step="1"
        hint=${`Your time (${Intl.DateTimeFormat().resolvedOptions().timeZone})`} value=${at} onInput=${setAt} />
      <div class="field"><button type="submit" class="secondary" disabled=${disabled || !at}>Schedule ${words}</button></div>
    </form>`;
}
