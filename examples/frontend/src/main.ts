// What a Belgian frontend does with the delivery API, with types generated from the
// server's own /api/openapi.json (`openapi-typescript`, into src/generated/) and no
// hand-written types. CI type-checks it with `tsc --strict` and runs it against a
// server with the demo content: `node dist/main.js http://127.0.0.1:8080`.

import createClient from "openapi-fetch";
import type { components, paths } from "./generated/buysocial-api.js";

type NewsListItem = components["schemas"]["NewsListItem"];
type EventListItem = components["schemas"]["EventListItem"];
type Event = components["schemas"]["EventItem"];
type Problem = components["schemas"]["Problem"];

const baseUrl = process.argv[2] ?? "http://127.0.0.1:8080";
const client = createClient<paths>({ baseUrl });

/** The Belgian site's news, French first with an English fallback: one line each. */
async function belgianNews(): Promise<string[]> {
  const { data, error } = await client.GET("/api/v1/news", {
    params: { query: { site: "be", fallback: "fr,en" } },
  });
  if (error) throw new Error(`news: ${error.type}: ${error.detail}`);
  return data.items.map((item: NewsListItem) => `${item.locale} ${item.title} (${item.date ?? "undated"})`);
}

/** An event with its status, where it is, its page on the site and its materials' files. */
async function event(slug: string): Promise<string[]> {
  const { data, error } = await client.GET("/api/v1/events/{slug}", {
    params: { path: { slug }, query: { site: "be" } },
  });
  if (error) throw new Error(`event: ${error.type}: ${error.detail}`);
  const item: Event = data;
  const lines = [
    `${item.title}: ${item.status}`,
    `  in ${item.city ?? "online"} from ${item.starts_at} (${item.time_zone})`,
    `  at ${item.url ?? "no page on this site"}`,
  ];
  for (const alternate of item.alternates) {
    lines.push(`  hreflang ${alternate.locale}: ${alternate.url}`);
  }
  for (const material of item.materials) {
    lines.push(`  ${material.title}: ${material.file?.url ?? "no file"}`);
  }
  return lines;
}

/** The events of Belgium, upcoming or past. */
async function belgianEvents(): Promise<EventListItem[]> {
  const { data, error } = await client.GET("/api/v1/events", {
    params: { query: { site: "be", when: "all" } },
  });
  if (error) throw new Error(`events: ${error.type}: ${error.detail}`);
  return data.items;
}

/** Expresses interest; the answer is "registered" or the problem's type. */
async function register(slug: string): Promise<string> {
  const { error, response } = await client.POST("/api/v1/events/{slug}/registrations", {
    params: { path: { slug }, query: { site: "be" } },
    body: {
      name: "Camille Dupont",
      email: "camille@example.be",
      organisation: "Ville de Bruxelles",
      organisation_type: "public_buyer",
      country: "BE",
      consent: true,
    },
  });
  if (!error) return "registered";
  const problem: Problem = error;
  return `${response.status} ${problem.type}`;
}

const report: string[] = [];
report.push(...(await belgianNews()));
const events = await belgianEvents();
const first = events[0];
if (first === undefined) throw new Error("no Belgian event");
report.push(...(await event(first.slug)));
report.push(`register for ${first.slug}: ${await register(first.slug)}`);
console.log(report.join("\n"));
