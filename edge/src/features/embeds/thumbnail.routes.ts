/**
 * `GET /api/videos/:id/thumbnail` — a poster address that never expires (ADR 0029), for what
 * outlives a page view: oEmbed's `thumbnail_url` and the watch page's `og:image`, which chat
 * apps and social sites fetch hours or days later. Each request checks again that an anonymous
 * visitor may see the video (private, taken down, suspended owner, deleted: 404) and redirects
 * to the poster under a fresh signed delivery token; the redirect itself is cached briefly.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { VideoId } from "@streamline/contracts";
import { notFound } from "../../lib/errors.ts";
import { errors, openApiRouter } from "../../lib/openapi.ts";
import { VIDEO_ID } from "../../lib/openapi-examples.ts";
import { playbackFor } from "../videos/video-dto.ts";
import { VideosService } from "../videos/videos.service.ts";

/** Far shorter than a delivery token lives (PLAYBACK_TTL_SECONDS), so a cached redirect still works. */
const REDIRECT_MAX_AGE_SECONDS = 300;

const thumbnail = createRoute({
  method: "get",
  path: "/{id}/thumbnail",
  tags: ["videos"],
  summary: "The video's poster at a stable address: a redirect to the signed poster",
  description:
    "Public and unlisted videos anyone may watch; checked again on every request. For link previews (oEmbed, og:image) " +
    `that are fetched long after the page was: the signed poster URL expires, this address does not. Cached ${REDIRECT_MAX_AGE_SECONDS} s.`,
  request: { params: z.object({ id: VideoId.meta({ example: VIDEO_ID }) }) },
  responses: {
    302: {
      description: "To `/v/{id}/{token}/poster.jpg` (a token valid for PLAYBACK_TTL_SECONDS)",
      headers: { location: { schema: { type: "string" }, description: "The signed poster" } },
    },
    ...errors(404),
  },
});

export const thumbnailRoutes = openApiRouter().openapi(thumbnail, async (c) => {
  const video = await VideosService.from(c.var.services).findVisible(c.req.valid("param").id, null);
  const prefix = `videos/${video.id}/`;
  if (!video.playable || !video.posterKey?.startsWith(prefix)) throw notFound();
  const { token } = await playbackFor(c.var.services, video, null);
  c.header("cache-control", `public, max-age=${REDIRECT_MAX_AGE_SECONDS}`);
  return c.redirect(`/v/${video.id}/${token}/${video.posterKey.slice(prefix.length)}`, 302);
});
