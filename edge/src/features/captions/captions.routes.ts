/**
 * Caption tracks: owners PUT WebVTT or SubRip (converted to WebVTT and validated); the
 * track is stored beside the renditions with a one-segment subtitles playlist, and the
 * master is served with a SUBTITLES group listing every track (delivery.routes.ts).
 *
 *   PUT    /api/videos/:id/captions/:lang?label=English&default=true   (body: the file)
 *   GET    /api/videos/:id/captions
 *   DELETE /api/videos/:id/captions/:lang
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  CaptionLang,
  CaptionListResponse,
  CaptionTrackDto,
  PutCaptionQuery,
  VideoId,
} from "@streamline/contracts";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError, notFound, validationError } from "../../lib/errors.ts";
import {
  BEARER,
  errorDoc,
  errors,
  json,
  OPTIONAL_BEARER,
  openApiRouter,
  TEXT,
  validationHook,
} from "../../lib/openapi.ts";
import { VIDEO_ID } from "../../lib/openapi-examples.ts";
import { apiBodyLimit } from "../../middleware/body-limit/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { optionalAuth, requireAuth } from "../auth/auth.middleware.ts";
import { emailUnverifiedDoc, requireVerifiedEmail } from "../auth/email-verification.ts";
import { canView, isOwner } from "../videos/video-access.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { webhooks, webhookVideo } from "../webhooks/emit.ts";
import { CaptionFormatError, MAX_CAPTION_BYTES, subtitlesPlaylist, toWebVtt } from "./caption-format.ts";
import { cueText } from "./caption-text.ts";
import { CaptionsRepo } from "./captions.repo.ts";

const ACCEPTED_TYPES = [
  "text/vtt",
  "application/x-subrip",
  "text/srt",
  "text/plain",
  "application/octet-stream",
];

export const CAPTION_CACHE = "public, max-age=60";

async function video(c: { var: AppEnv["Variables"] }, id: string, owner: boolean) {
  const row = await new VideosRepo(c.var.services.db).find(id);
  if (!row || !(owner ? isOwner(row, c.var.userId) : canView(row, c.var.userId))) throw notFound();
  return row;
}

const tags = ["captions"];
const videoParams = z.object({ id: VideoId.meta({ example: VIDEO_ID }) });
const trackParams = videoParams.extend({ lang: CaptionLang.meta({ example: "en" }) });
const track = { lang: "en", label: "English", default: true, cues: 42 };
const vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHello\n";

/** A video id that cannot exist is 404; a malformed language is a validation error. */
const trackParamsHook = validationHook({
  param: (error) =>
    error.issues.some((i) => i.path[0] === "id") ? notFound() : validationError(error, "language"),
});

const put = createRoute({
  method: "put",
  path: "/{id}/captions/{lang}",
  tags,
  summary: "Add or replace a caption track (WebVTT or SubRip, converted to WebVTT)",
  security: BEARER,
  middleware: [
    apiBodyLimit(MAX_CAPTION_BYTES),
    requireAuth(),
    rateLimit("RL_MEDIA_UPLOADS", (c) => c.var.userId),
    requireVerifiedEmail(),
  ] as const,
  request: {
    params: trackParams,
    query: PutCaptionQuery,
    body: {
      required: true,
      description: `The caption file, at most ${MAX_CAPTION_BYTES} bytes of UTF-8`,
      content: Object.fromEntries(ACCEPTED_TYPES.map((t) => [t, { schema: TEXT, example: vtt }])),
    },
  },
  responses: {
    201: json(CaptionTrackDto, "Stored", track),
    ...errors(400, 401, 404, 413, 429),
    403: emailUnverifiedDoc,
    415: errorDoc(415, { message: "captions must be WebVTT (.vtt) or SubRip (.srt) text" }),
    422: errorDoc(422),
  },
});

const list = createRoute({
  method: "get",
  path: "/{id}/captions",
  tags,
  summary: "The video's caption tracks",
  security: OPTIONAL_BEARER,
  middleware: [optionalAuth()] as const,
  request: { params: videoParams },
  responses: { 200: json(CaptionListResponse, "Tracks", { captions: [track] }), ...errors(401, 404) },
});

const remove = createRoute({
  method: "delete",
  path: "/{id}/captions/{lang}",
  tags,
  summary: "Remove a caption track",
  security: BEARER,
  middleware: [requireAuth()] as const,
  request: { params: trackParams },
  responses: {
    204: { description: "Removed" },
    ...errors(400, 401),
    404: errorDoc(404, { message: "caption track not found" }),
  },
});

export const captionsRoutes = openApiRouter()
  .openapi(
    put,
    async (c) => {
      const { id, lang } = c.req.valid("param");
      const v = await video(c, id, true);
      const q = c.req.valid("query");
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
      const row = {
        videoId: v.id,
        lang,
        label: q.label ?? lang,
        isDefault: q.default === "true",
        cues: parsed.cues,
      };
      await new CaptionsRepo(db).upsert(row, cueText(parsed.vtt));
      await webhooks(c.env).emit(v.ownerId, "caption.ready", {
        video: webhookVideo(v),
        caption: { lang, label: row.label },
      });
      return c.json({ lang, label: row.label, default: row.isDefault, cues: parsed.cues }, 201);
    },
    trackParamsHook,
  )
  .openapi(list, async (c) => {
    const v = await video(c, c.req.valid("param").id, false);
    const rows = await new CaptionsRepo(c.var.services.db).list(v.id);
    return c.json(
      { captions: rows.map((r) => ({ lang: r.lang, label: r.label, default: r.isDefault, cues: r.cues })) },
      200,
    );
  })
  .openapi(
    remove,
    async (c) => {
      const { id, lang } = c.req.valid("param");
      const v = await video(c, id, true);
      if (!(await new CaptionsRepo(c.var.services.db).remove(v.id, lang))) throw notFound("caption track");
      await c.var.services.store.delete([
        `videos/${v.id}/captions/${lang}.vtt`,
        `videos/${v.id}/captions/${lang}.m3u8`,
      ]);
      return c.body(null, 204);
    },
    trackParamsHook,
  );
