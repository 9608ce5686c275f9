// @ts-check
// Outgoing webhooks: the receivers (list, new with its signing secret shown once), and
// one receiver's screen: its settings, pause, a test ping, and its deliveries with
// every attempt and a way to send one again.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { listSites } from "../api/sites.js";
import {
  createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks, pingWebhook, redeliver, updateWebhook,
} from "../api/webhooks.js";
import { differs, navigate, useLeaveWarning } from "../navigation.js";
import { ErrorSummary, ScopePicker, Select, TextField, when, incompleteChoices, submitting } from "../widgets/forms.js";
import { SecretOnce } from "../widgets/secret.js";

/** @typedef {import("../api/webhooks.js").Webhook} Webhook */
/** @typedef {import("../api/webhooks.js").WebhookList} WebhookList */
/** @typedef {import("../api/webhooks.js").CreatedWebhook} CreatedWebhook */
/** @typedef {import("../api/webhooks.js").Delivery} Delivery */
/** @typedef {import("../api/webhooks.js").DeliveryList} DeliveryList */
/** @typedef {import("../api/sites.js").Site} Site */
/** @typedef {import("../api/http.js").Problem} Problem */

/** @type {[string, string][]} */
const EVENTS = [
  ["translation.published", "A translation is published"],
  ["translation.changed", "A live translation is published again with changes"],
  ["translation.unpublished", "A translation is unpublished"],
  ["schedule.done", "A scheduled publish or unpublish ran"],
  ["item.trashed", "An item is moved to the trash"],
  ["item.restored", "An item is restored from the trash"],
  ["item.purged", "An item is deleted for good"],
  ["asset.replaced", "A file is replaced"],
  ["asset.deleted", "A file is deleted"],
  ["site.changed", "A site is created, changed or deleted"],
  ["registration.created", "Someone signs up for an event (a count, not who)"],
  ["event.full", "An event becomes full"],
];

function eventsText(events) {
  return events.length ? events.join(", ") : "all events";
}

export function WebhookList() {
  const [result, setResult] = useState(/** @type {WebhookList | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  useEffect(() => {
    document.title = "Webhooks – buysocial";
    listWebhooks().then(setResult).catch(setProblem);
  }, []);
  return html`
    <div class="page-head">
      <h1>Webhooks</h1>
      <a class="button" href="/admin/webhooks/new">New webhook</a>
    </div>
    <p class="hint">Frontends and CDNs hear of every change they show, signed, with the addresses to rebuild.</p>
    <${ErrorSummary} problem=${problem} />
    ${!result && !problem && html`<p role="status">Loading…</p>`}
    ${result && result.items.length === 0 && html`<p>No webhooks yet. Add one for each frontend that rebuilds pages.</p>`}
    ${result && result.items.length > 0 && html`
      <table class="responsive">
        <caption class="visually-hidden">Webhooks</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Address</th><th scope="col">Events</th>
          <th scope="col">Site</th><th scope="col">State</th></tr></thead>
        <tbody>${result.items.map((hook) => html`<tr>
          <td data-label="Name"><a href=${`/admin/webhooks/${hook.id}`}>${hook.name}</a></td>
          <td data-label="Address" class="long">${hook.url}</td>
          <td data-label="Events">${eventsText(hook.events)}</td>
          <td data-label="Site">${hook.site || "every site"}</td>
          <td data-label="State">${hook.paused ? html`<span class="status draft">paused</span>` : html`<span class="status live">active</span>`}</td>
        </tr>`)}</tbody>
      </table>`}`;
}

/** Name, address, events and site, as both the new and the edit form ask them. */
function WebhookFields({ form, set, sites, errors }) {
  return html`
    <${TextField} name="name" label="Name" hint="What receives it, e.g. “Belgian frontend: revalidate”."
      value=${form.name} onInput=${(v) => set({ name: v })} error=${errors.name} />
    <${TextField} name="url" label="Address" type="url" hint="Where events are sent (POST), e.g. https://webuysocial.be/api/revalidate"
      value=${form.url} onInput=${(v) => set({ url: v })} error=${errors.url} />
    <${ScopePicker} name="events" legend="Events" allText="All events" someText="Only these events"
      value=${form.events} onChange=${(v) => set({ events: v })} error=${errors.events} options=${EVENTS} />
    <${Select} name="site" label="Site" hint="Only what this site shows, and changes to the site itself."
      value=${form.site} onChange=${(v) => set({ site: v })} error=${errors.site}
      options=${[["", "Every site"], ...sites.map((s) => [s.code, `${s.name} (${s.code})`])]} />`;
}

/**
 * Every site, for the choice of one.
 * @param {(problem: Problem) => void} setProblem
 */
function useSites(setProblem) {
  const [sites, setSites] = useState(/** @type {Site[]} */ ([]));
  useEffect(() => {
    listSites().then((list) => setSites(list.items)).catch(setProblem);
  }, []);
  return sites;
}

const NO_WEBHOOK = { name: "", url: "", events: [], site: "" };

/**
 * What a webhook's form holds for `hook`.
 * @param {Webhook} hook
 */
const webhookForm = (hook) => ({ name: hook.name, url: hook.url, events: hook.events, site: hook.site || "" });

export function NewWebhook() {
  const [form, setForm] = useState(NO_WEBHOOK);
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [created, setCreated] = useState(/** @type {CreatedWebhook | null} */ (null));
  useLeaveWarning(!created && differs(form, NO_WEBHOOK), "This new webhook is not created yet. Leave and lose what you typed?");
  const sites = useSites(setProblem);
  const set = (change) => setForm({ ...form, ...change });
  useEffect(() => {
    document.title = "New webhook – buysocial";
  }, []);
  if (created) {
    return html`<h1>New webhook</h1>
      <${SecretOnce} label=${`Signing secret of “${created.webhook.name}”`} secret=${created.secret}
        use="The receiver checks each call's signature with it (see the README)." back=${`/admin/webhooks/${created.webhook.id}`}
        backText="Go to the webhook" />`;
  }
  const submit = submitting(setProblem, async () => {
    setCreated(await createWebhook({
      name: form.name.trim(), url: form.url.trim(), events: form.events, site: form.site || null,
    }));
  });
  return html`
    <p><a href="/admin/webhooks">Back to the webhooks</a></p>
    <h1>New webhook</h1>
    <${ErrorSummary} problem=${problem} labels=${{ name: "Name", url: "Address", site: "Site" }} />
    <form onSubmit=${submit} novalidate>
      <${WebhookFields} form=${form} set=${set} sites=${sites} errors=${problem?.fields || {}} />
      <div class="actions"><button type="submit">Create webhook</button></div>
    </form>`;
}

const STATES = { delivered: ["delivered", "live"], failed: ["failed", "missing"], pending: ["waiting", "scheduled"] };

/** @param {{ attempt: Delivery["attempts"][number] }} props */
function Attempt({ attempt }) {
  const answer = attempt.status_code ? `answered ${attempt.status_code}` : "no answer";
  return html`<li>${when(attempt.at)}: ${attempt.error || answer} (${attempt.duration_ms} ms)</li>`;
}

/** @param {{ id: string, reload: number, onRedeliver: { refresh: () => void, send: (delivery: Delivery) => void } }} props */
function Deliveries({ id, reload, onRedeliver }) {
  const [result, setResult] = useState(/** @type {DeliveryList | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  useEffect(() => {
    listDeliveries(id).then(setResult).catch(setProblem);
  }, [id, reload]);
  return html`
    <h2>Deliveries</h2>
    <div class="actions"><button type="button" class="secondary" onClick=${onRedeliver.refresh}>Refresh</button></div>
    <${ErrorSummary} problem=${problem} />
    ${result && result.items.length === 0 && html`<p>Nothing sent yet.</p>`}
    ${result && result.items.length > 0 && html`
      <table class="responsive">
        <caption class="visually-hidden">Deliveries, newest first</caption>
        <thead><tr><th scope="col">Event</th><th scope="col">Created</th><th scope="col">State</th>
          <th scope="col">Attempts</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${result.items.map((d) => {
          const [word, css] = STATES[d.status] || [d.status, ""];
          return html`<tr>
            <td data-label="Event" class="long">${d.event_type}<br /><span class="hint">${d.id}</span></td>
            <td data-label="Created">${when(d.created_at)}</td>
            <td data-label="State"><span class=${`status ${css}`}>${word}</span>
              ${d.status === "pending" && d.next_attempt_at && html`<br /><span class="hint">next try ${when(d.next_attempt_at)}</span>`}</td>
            <td data-label="Attempts"><details><summary>${d.attempts.length} ${d.attempts.length === 1 ? "attempt" : "attempts"}</summary>
              <ol>${d.attempts.map((a) => html`<${Attempt} attempt=${a} />`)}</ol>
              <pre class="body">${d.body}</pre></details></td>
            <td>${d.status !== "pending" && html`<button type="button" class="secondary"
              aria-label=${`Send again: ${d.event_type} of ${when(d.created_at)}`} onClick=${() => onRedeliver.send(d)}>Send again</button>`}</td>
          </tr>`;
        })}</tbody>
      </table>`}`;
}

/** @param {{ id: string }} props */
export function WebhookScreen({ id }) {
  const [hook, setHook] = useState(/** @type {Webhook | null} */ (null));
  const [form, setForm] = useState(/** @type {ReturnType<typeof webhookForm> | null} */ (null));
  const [problem, setProblem] = useState(/** @type {Problem | null} */ (null));
  const [notice, setNotice] = useState("");
  const [reload, setReload] = useState(0);
  const sites = useSites(setProblem);
  /** @param {Webhook} data */
  const load = (data) => {
    setHook(data);
    setForm(webhookForm(data));
    document.title = `${data.name} – Webhooks – buysocial`;
  };
  useEffect(() => {
    getWebhook(id).then(load).catch(setProblem);
  }, [id]);
  useLeaveWarning(differs(form, hook && webhookForm(hook)), "The webhook's settings have unsaved changes. Leave without saving them?");
  if (!hook) return problem ? html`<h1>Webhook</h1><${ErrorSummary} problem=${problem} />` : html`<p role="status">Loading…</p>`;

  const act = async (action, done) => {
    setProblem(null);
    setNotice("");
    try {
      await action();
      setNotice(done);
      setReload(reload + 1);
    } catch (error) {
      setProblem(error);
    }
  };
  const save = (event) => {
    event.preventDefault();
    const incomplete = incompleteChoices();
    if (incomplete) {
      setProblem(incomplete);
      return;
    }
    act(async () => load(await updateWebhook(id, {
      name: form.name.trim(), url: form.url.trim(), events: form.events, site: form.site || null,
    })), "Saved.");
  };
  // Pausing keeps whatever is typed in the form below.
  /** @param {boolean} paused */
  const pause = (paused) => act(async () => setHook(await updateWebhook(id, { paused })),
    paused ? "Paused: it receives nothing until it is resumed, and events meanwhile are not kept for it." : "Resumed.");
  const ping = () => {
    setProblem(null);
    pingWebhook(id).then((data) => {
      const attempt = data.attempts[data.attempts.length - 1];
      setNotice(data.status === "delivered"
        ? `Test ping delivered: the receiver answered ${attempt.status_code}.`
        : `Test ping not delivered: ${attempt ? attempt.error : "no attempt"}.`);
      setReload(reload + 1);
    }).catch(setProblem);
  };
  const remove = () => {
    if (!window.confirm(`Delete the webhook “${hook.name}”? Its receiver hears of no more changes, and its delivery history is deleted.`)) return;
    deleteWebhook(id).then(() => navigate("/admin/webhooks", { replace: true, asking: false })).catch(setProblem);
  };
  const deliveries = {
    refresh: () => setReload(reload + 1),
    send: (/** @type {Delivery} */ d) => act(() => redeliver(id, d.id), "It will be sent again within a second, with the same id."),
  };
  return html`
    <p><a href="/admin/webhooks">Back to the webhooks</a></p>
    <h1>${hook.name}</h1>
    <p>${hook.url} · ${hook.paused ? "paused" : "active"}</p>
    ${notice && html`<div class="notice success" role="status">${notice}</div>`}
    <${ErrorSummary} problem=${problem} labels=${{ name: "Name", url: "Address", site: "Site" }} />
    <div class="actions">
      <button type="button" class="secondary" onClick=${ping}>Send a test ping</button>
      ${hook.paused
        ? html`<button type="button" class="secondary" onClick=${() => pause(false)}>Resume</button>`
        : html`<button type="button" class="secondary" onClick=${() => pause(true)}>Pause</button>`}
    </div>
    <form onSubmit=${save} novalidate>
      <${WebhookFields} form=${form} set=${(change) => setForm({ ...form, ...change })} sites=${sites} errors=${problem?.fields || {}} />
      <div class="actions">
        <button type="submit">Save webhook</button>
        <button type="button" class="warning" onClick=${remove}>Delete webhook</button>
      </div>
    </form>
    <${Deliveries} id=${id} reload=${reload} onRedeliver=${deliveries} />`;
}
