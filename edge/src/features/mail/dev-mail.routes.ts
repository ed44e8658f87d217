/**
 * `/dev/mail` and `GET /api/dev/mail`: the mails the local SMTP sink caught (`npm run dev`).
 * Only when DEV_MAIL_URL is set and on loopback; anywhere else both are 404 (the page the
 * site's own 404). The page is rendered here, every value escaped, no script.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError } from "../../lib/errors.ts";
import { errorDoc, errors, json, openApiRouter } from "../../lib/openapi.ts";
import { escapeHtml } from "./templates.ts";

const DevMail = z.object({
  id: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  text: z.string(),
  date: z.string(),
});
const DevMailList = z.object({ mails: z.array(DevMail) }).openapi("DevMailList");
type DevMail = z.infer<typeof DevMail>;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The sink's listing URL, or null when this is not a development stack. */
function sinkUrl(c: Context<AppEnv>): string | null {
  const url = c.var.services.config.DEV_MAIL_URL;
  return url && LOOPBACK.has(new URL(url).hostname) ? url : null;
}

/** The caught mails; null when this is not a development stack; "down" when the sink does not answer. */
async function caught(c: Context<AppEnv>): Promise<DevMail[] | null | "down"> {
  const base = sinkUrl(c);
  if (!base) return null;
  try {
    const res = await fetch(`${base}/mails`, { signal: AbortSignal.timeout(5000) });
    const parsed = DevMailList.safeParse(await res.json());
    return parsed.success ? parsed.data.mails : [];
  } catch {
    return "down";
  }
}

const sinkDown = (c: Context<AppEnv>) =>
  `The local mail sink at ${sinkUrl(c)} is not answering. Is <code>npm run dev</code> still running? (It starts the sink on :2525, listing on :8025.)`;

/** Escaped text with its http(s) links made clickable. */
function linkify(text: string): string {
  return escapeHtml(text).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);
}

function page(mails: DevMail[], note?: string): string {
  const items = mails
    .map(
      (m) => `<article class="mail" data-testid="dev-mail"><h2>${escapeHtml(m.subject)}</h2>
<p class="meta">to ${escapeHtml(m.to.join(", "))} · from ${escapeHtml(m.from)} · ${escapeHtml(m.date)}</p>
<pre>${linkify(m.text.trim())}</pre></article>`,
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Caught mail · Streamline (development)</title>
<style>body{font-family:system-ui,sans-serif;margin:0 auto;max-width:860px;padding:1rem;background:#0f1115;color:#e8e8ea}
h1{font-size:1.4rem}.mail{border:1px solid #2a2e37;border-radius:8px;padding:.75rem 1rem;margin:0 0 1rem;background:#171a21}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline;justify-content:space-between}
h2{font-size:1.05rem;margin:0 0 .3rem}.meta{color:#9aa0aa;font-size:.85rem;margin:0 0 .5rem;overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit;margin:0}a{color:#7aa7ff}</style></head>
<body><header><h1>Caught mail</h1><a href="/">← Streamline</a></header>
<p class="meta">Development only: every mail the platform sent to the local SMTP sink (${mails.length}), newest first. Nothing here was delivered.</p>
${note ? `<p data-testid="dev-mail-down">${note}</p>` : items || '<p data-testid="dev-mail-empty">No mail yet.</p>'}</body></html>`;
}

const list = createRoute({
  method: "get",
  path: "/api/dev/mail",
  tags: ["docs"],
  summary: "Development only: the mails the local SMTP sink caught (404 elsewhere)",
  responses: {
    200: json(DevMailList, "Newest first", { mails: [] }),
    503: errorDoc(503, {
      code: "mail_sink_unavailable",
      message: "the local mail sink is not answering",
      description: "Development: DEV_MAIL_URL is set but the sink does not answer",
    }),
    ...errors(404),
  },
});

const view = createRoute({
  method: "get",
  path: "/dev/mail",
  tags: ["docs"],
  summary: "Development only: the caught mails as a page (the site's 404 elsewhere)",
  responses: {
    200: { description: "HTML", content: { "text/html": { schema: { type: "string" } } } },
    404: { description: "Not a development stack", content: { "text/html": { schema: { type: "string" } } } },
    503: {
      description: "The local mail sink is not answering",
      content: { "text/html": { schema: { type: "string" } } },
    },
  },
});

export const devMailRoutes = openApiRouter()
  .openapi(list, async (c) => {
    const mails = await caught(c);
    if (!mails) throw new AppError(404, "not_found", "no such endpoint");
    if (mails === "down")
      throw new AppError(503, "mail_sink_unavailable", "the local mail sink is not answering");
    c.header("cache-control", "no-store");
    return c.json({ mails }, 200);
  })
  .openapi(view, async (c) => {
    const mails = await caught(c);
    if (!mails) {
      // Production: whatever the site answers for a page that does not exist.
      if (!c.env.SITE) return c.html("not found", 404);
      const missing = await c.env.SITE.fetch(new Request(new URL("/__no-such-page__", c.req.url)));
      return c.html(await missing.text(), 404);
    }
    c.header("cache-control", "no-store");
    if (mails === "down") return c.html(page([], sinkDown(c)), 503);
    return c.html(page(mails), 200);
  });
