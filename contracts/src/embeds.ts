/**
 * Embeds (ADR 0019): a video's embed settings (`PATCH /api/videos/:id` `{ embed }`, shown to
 * the owner), the `/embed/:id` player's query, and `GET /oembed`'s query and answer.
 */
import { z } from "zod";

/** At most this many origins may frame one video's embed. */
export const MAX_EMBED_ORIGINS = 20;

/**
 * One origin that may frame the embed: `https://blog.example` (http allowed for local sites),
 * no path, query, fragment or credentials; normalized to the URL's origin (lower-case host,
 * default port dropped), so it is exactly what `frame-ancestors` and a browser compare.
 */
export const EmbedOrigin = z
  .string()
  .trim()
  .max(200)
  .transform((raw, ctx) => {
    let url: URL | null = null;
    try {
      url = new URL(raw);
    } catch {
      url = null;
    }
    const bare =
      url &&
      (url.protocol === "https:" || url.protocol === "http:") &&
      !url.username &&
      !url.password &&
      (url.pathname === "/" || url.pathname === "") &&
      !url.search &&
      !url.hash &&
      !raw.endsWith("?") &&
      !raw.endsWith("#");
    if (!url || !bare) {
      ctx.addIssue({ code: "custom", message: "an origin like https://example.com (no path)" });
      return z.NEVER;
    }
    return url.origin;
  });

/** `origins: null` lets any site frame the embed; a list limits it to those origins. */
export const EmbedSettings = z.object({
  allowed: z.boolean(),
  origins: z
    .array(EmbedOrigin)
    .max(MAX_EMBED_ORIGINS)
    .transform((list) => [...new Set(list)])
    .nullable(),
});
export type EmbedSettings = z.infer<typeof EmbedSettings>;

/** `/embed/:id?autoplay=1&muted=1&start=30&controls=0&theme=light` (anything unparseable is ignored). */
export interface EmbedOptions {
  autoplay: boolean;
  muted: boolean;
  /** Seconds to start at (0: the beginning). */
  start: number;
  controls: boolean;
  /** The embedder's pick; `system` follows the viewer's `prefers-color-scheme`. */
  theme: "system" | "light" | "dark";
}

const flag = (value: string | null, fallback: boolean) =>
  value === null ? fallback : value === "1" || value === "true";

const EMBED_THEMES = ["light", "dark"] as const;

export function embedOptions(search: URLSearchParams): EmbedOptions {
  const start = Number(search.get("start") ?? search.get("t") ?? 0);
  return {
    autoplay: flag(search.get("autoplay"), false),
    muted: flag(search.get("muted") ?? search.get("mute"), false),
    start: Number.isFinite(start) && start > 0 ? Math.floor(start) : 0,
    controls: flag(search.get("controls"), true),
    theme: EMBED_THEMES.find((t) => t === search.get("theme")) ?? "system",
  };
}

/** The embed's default size when a consumer names no maximum (16:9). */
export const EMBED_DEFAULT_WIDTH = 640;

export const OEmbedQuery = z.object({
  /** A watch page address of this site: `https://…/watch/v_…` (or its `/embed/` address). */
  url: z.string().min(1).max(2048),
  format: z.enum(["json", "xml"]).default("json"),
  maxwidth: z.coerce.number().int().min(1).max(8192).optional(),
  maxheight: z.coerce.number().int().min(1).max(8192).optional(),
});
export type OEmbedQuery = z.infer<typeof OEmbedQuery>;

/** oEmbed 1.0 `video` response (https://oembed.com §2.3.4 and §2.3.4.4). */
export const OEmbedResponse = z.object({
  type: z.literal("video"),
  version: z.literal("1.0"),
  title: z.string(),
  author_name: z.string().optional(),
  author_url: z.string().optional(),
  provider_name: z.string(),
  provider_url: z.string(),
  thumbnail_url: z.string().optional(),
  thumbnail_width: z.number().int().optional(),
  thumbnail_height: z.number().int().optional(),
  html: z.string(),
  width: z.number().int(),
  height: z.number().int(),
});
export type OEmbedResponse = z.infer<typeof OEmbedResponse>;

/** Fits a `width`×`height` box (default 640 wide, the video's aspect) inside the consumer's maxima. */
export function embedSize(
  video: { width: number | null; height: number | null },
  max: { maxwidth?: number | undefined; maxheight?: number | undefined },
): { width: number; height: number } {
  const aspect = video.width && video.height ? video.width / video.height : 16 / 9;
  let width = Math.min(EMBED_DEFAULT_WIDTH, max.maxwidth ?? EMBED_DEFAULT_WIDTH);
  let height = Math.round(width / aspect);
  if (max.maxheight && height > max.maxheight) {
    height = max.maxheight;
    width = Math.round(height * aspect);
  }
  return { width: Math.max(1, width), height: Math.max(1, height) };
}

/** The `<iframe>` an embedder pastes (share dialog and oEmbed's `html`). */
export function embedIframeHtml(src: string, title: string, width: number, height: number): string {
  const attr = (value: string) => value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return (
    `<iframe width="${width}" height="${height}" src="${attr(src)}" title="${attr(title)}" ` +
    `frameborder="0" allow="autoplay; fullscreen; picture-in-picture; encrypted-media" allowfullscreen></iframe>`
  );
}
