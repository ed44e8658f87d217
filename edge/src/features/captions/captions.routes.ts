/**
 * Caption tracks: owners PUT WebVTT or SubRip (converted to WebVTT and validated); the
 * track is stored beside the renditions with a one-segment subtitles playlist, and the
 * master is served with a SUBTITLES group listing every track (delivery.routes.ts).
 *
 *   PUT    /api/videos/:id/captions/:lang?label=English&default=true   (body: the file)
 *   GET    /api/videos/:id/captions
 *   DELETE /api/videos/:id/captions/:lang
 */
import { VideoId } from "@streamline/contracts";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../app-env.ts";
import { AppError, notFound, validationError } from "../../lib/errors.ts";
import { parseParam } from "../../lib/validate.ts";
import { apiBodyLimit } from "../../middleware/body-limit/index.ts";
import { optionalAuth, requireAuth } from "../auth/auth.middleware.ts";
import { canView, isOwner } from "../videos/video-access.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { CaptionFormatError, MAX_CAPTION_BYTES, subtitlesPlaylist, toWebVtt } from "./caption-format.ts";
import { CaptionsRepo } from "./captions.repo.ts";

/** BCP 47-ish: "en", "pt-BR", "zh-Hant". */
const Lang = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/, "language must look like en, pt-BR, zh-Hant");
const PutQuery = z.object({
  label: z.string().trim().min(1).max(60).optional(),
  default: z.enum(["true", "false"]).optional(),
});
const ACCEPTED_TYPES = [
  "text/vtt",
  "application/x-subrip",
  "text/srt",
  "text/plain",
  "application/octet-stream",
];

export const CAPTION_CACHE = "public, max-age=60";

async function video(
  c: { var: AppEnv["Variables"]; req: { param(n: string): string | undefined } },
  owner: boolean,
) {
  const id = parseParam(VideoId, c.req.param("id"));
  const row = await new VideosRepo(c.var.services.db).find(id);
  if (!row || !(owner ? isOwner(row, c.var.userId) : canView(row, c.var.userId))) throw notFound();
  return row;
}

function langParam(value: string | undefined) {
  const lang = Lang.safeParse(value);
  if (!lang.success) throw validationError(lang.error, "language");
  return lang.data;
}

export const captionsRoutes = new Hono<AppEnv>()
  .put("/:id/captions/:lang", apiBodyLimit(MAX_CAPTION_BYTES), requireAuth(), async (c) => {
    const v = await video(c, true);
    const lang = langParam(c.req.param("lang"));
    const q = PutQuery.safeParse(c.req.query());
    if (!q.success) throw validationError(q.error, "query");
    const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type && !ACCEPTED_TYPES.includes(type)) {
      throw new AppError(
        415,
        "unsupported_media_type",
        "captions must be WebVTT (.vtt) or SubRip (.srt) text",
      );
    }
    let parsed: ReturnType<typeof toWebVtt>;
    try {
      parsed = toWebVtt(
        new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(await c.req.arrayBuffer()),
      );
    } catch (err) {
      if (err instanceof CaptionFormatError) throw new AppError(422, "invalid_captions", err.message);
      if (err instanceof TypeError)
        throw new AppError(422, "invalid_captions", "captions must be UTF-8 text");
      throw err;
    }
    const { store, db } = c.var.services;
    const duration = Math.max(v.durationSec ?? 0, parsed.endSec);
    await store.put(`videos/${v.id}/captions/${lang}.vtt`, parsed.vtt, {
      contentType: "text/vtt; charset=utf-8",
      cacheControl: CAPTION_CACHE,
    });
    await store.put(`videos/${v.id}/captions/${lang}.m3u8`, subtitlesPlaylist(`${lang}.vtt`, duration), {
      contentType: "application/vnd.apple.mpegurl",
      cacheControl: CAPTION_CACHE,
    });
    const track = {
      videoId: v.id,
      lang,
      label: q.data.label ?? lang,
      isDefault: q.data.default === "true",
      cues: parsed.cues,
    };
    await new CaptionsRepo(db).upsert(track);
    return c.json({ lang, label: track.label, default: track.isDefault, cues: parsed.cues }, 201);
  })
  .get("/:id/captions", optionalAuth(), async (c) => {
    const v = await video(c, false);
    const rows = await new CaptionsRepo(c.var.services.db).list(v.id);
    return c.json({
      captions: rows.map((r) => ({ lang: r.lang, label: r.label, default: r.isDefault, cues: r.cues })),
    });
  })
  .delete("/:id/captions/:lang", requireAuth(), async (c) => {
    const v = await video(c, true);
    const lang = langParam(c.req.param("lang"));
    if (!(await new CaptionsRepo(c.var.services.db).remove(v.id, lang))) throw notFound("caption track");
    await c.var.services.store.delete([
      `videos/${v.id}/captions/${lang}.vtt`,
      `videos/${v.id}/captions/${lang}.m3u8`,
    ]);
    return c.body(null, 204);
  });
