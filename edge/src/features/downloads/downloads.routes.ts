/**
 * `GET /api/videos/:id/download?rung=` (ADR 0027): 302 to the signed MP4 of a rung once the
 * fleet has made it; until then 202 `{ status: "preparing" }` with `Retry-After` (the first
 * request queues the remux). The video must be visible to the caller, and downloads on for
 * it or the caller its owner; anything else is 404. Limited per user or IP (`RL_DOWNLOADS`).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { DownloadPreparing, DownloadQuery, VideoId } from "@streamline/contracts";
import { clientInfo } from "../../lib/client-info.ts";
import { AppError } from "../../lib/errors.ts";
import { errorDoc, errors, json, OPTIONAL_BEARER, openApiRouter } from "../../lib/openapi.ts";
import { VIDEO_ID } from "../../lib/openapi-examples.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { optionalAuth } from "../auth/auth.middleware.ts";
import { downloadsOf, STALE_PREPARING_MS } from "../videos/download-state.ts";
import { deliveryPath, playbackFor } from "../videos/video-dto.ts";
import { VideosService } from "../videos/videos.service.ts";
import { assertMayDownload, PREPARING_RETRY_SEC, pickRung, prepareDownload } from "./downloads.service.ts";

const download = createRoute({
  method: "get",
  path: "/{id}/download",
  tags: ["videos"],
  summary: "Download a rung as one MP4: 302 to a signed URL, or 202 while it is prepared",
  description:
    "The MP4 is remuxed by the fleet from the rung's own fMP4 segments (no re-encode) the first " +
    "time anyone asks for that rung; until it exists the answer is 202 with `Retry-After`. " +
    "`rung` defaults to the highest H.264 rung. The owner may always download; anyone else only " +
    "when downloads are on for the video (`PATCH /api/videos/:id { download: { enabled } }`, or " +
    "`MP4_DOWNLOADS=default`). Clips have none. Limited per user or IP (`RL_DOWNLOADS`).",
  security: OPTIONAL_BEARER,
  middleware: [
    optionalAuth(),
    rateLimit("RL_DOWNLOADS", (c) =>
      c.var.userId ? `user:${c.var.userId}` : `ip:${clientInfo(c.req.raw).rateKey}`,
    ),
  ] as const,
  request: { params: z.object({ id: VideoId.meta({ example: VIDEO_ID }) }), query: DownloadQuery },
  responses: {
    302: {
      description: "To `/v/{id}/{token}/download/{rung}.mp4` (signed, `Content-Disposition: attachment`)",
      headers: { location: { schema: { type: "string" }, description: "The signed MP4" } },
    },
    202: json(DownloadPreparing, "Being prepared; ask again after Retry-After", {
      status: "preparing",
      rung: "720p",
      retryAfterSec: PREPARING_RETRY_SEC,
    }),
    ...errors(400, 401, 404, 429),
    409: errorDoc(409, {
      code: "not_ready",
      message: "video is processing",
      description:
        "`not_ready` (not transcoded yet) or `download_failed` (the last try failed; retried after 10 min)",
    }),
  },
});

export const downloadsRoutes = openApiRouter().openapi(download, async (c) => {
  const { services, userId } = c.var;
  const video = await VideosService.from(services).findVisible(c.req.valid("param").id, userId);
  assertMayDownload(services, video, userId);
  const rung = pickRung(video, c.req.valid("query").rung);
  c.header("cache-control", "private, no-store");
  const entry = downloadsOf(video)[rung.name];
  if (entry?.status === "ready") {
    const { token } = await playbackFor(services, video, userId);
    return c.redirect(deliveryPath(video.id, token, `download/${rung.name}.mp4`), 302);
  }
  if (entry?.status === "failed" && Date.now() - entry.at < STALE_PREPARING_MS)
    throw new AppError(409, "download_failed", "the MP4 could not be made; try again in a few minutes");
  await prepareDownload(services, video, rung);
  c.header("retry-after", String(PREPARING_RETRY_SEC));
  return c.json({ status: "preparing" as const, rung: rung.name, retryAfterSec: PREPARING_RETRY_SEC }, 202);
});
