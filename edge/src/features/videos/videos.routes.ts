/** Video metadata, listing, edits, deletion and the playlist redirect. */
import { sourceKey, UpdateVideoBody, VideoId, type VideoListResponse } from "@streamline/contracts";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../app-env.ts";
import type { VideoRow } from "../../db/schema.ts";
import { notFound, validationError } from "../../lib/errors.ts";
import { deleteUnder, type ObjectStore } from "../../lib/storage/object-store.ts";
import { jsonBody, parseParam } from "../../lib/validate.ts";
import { optionalAuth, requireAuth } from "../../middleware/auth/index.ts";
import { cancelJob } from "../fleet/fleet-client.ts";
import { roomNotifier } from "../progress/room-notifier.ts";
import { type PageCursor, VideosRepo } from "./videos.repo.ts";
import { canView, isOwner, playbackFor, toVideoDto } from "./videos.service.ts";

const CURSOR = /^(\d{1,15})\.(v_[A-Za-z0-9]{16})$/;

/**
 * `?limit=&cursor=` (the previous page's `nextCursor`). `before` (a createdAt in ms) is
 * still understood for older clients; it skips videos sharing that millisecond.
 */
export const ListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(24),
    cursor: z.string().regex(CURSOR, "not a cursor from nextCursor").optional(),
    before: z.coerce.number().int().positive().optional(),
  })
  .transform(({ limit, cursor, before }): { limit: number; after?: PageCursor } => {
    const m = cursor ? CURSOR.exec(cursor) : null;
    if (m) return { limit, after: { createdAt: Number(m[1]), id: m[2]! } };
    return before ? { limit, after: { createdAt: before, id: "" } } : { limit };
  });

/** One page of a listing in the API's shape: DTOs for `userId`, and where the next page starts. */
export async function videoPage(
  services: AppEnv["Variables"]["services"],
  rows: VideoRow[],
  limit: number,
  userId: string | null | undefined,
): Promise<VideoListResponse> {
  const last = rows.length === limit ? rows.at(-1) : undefined;
  return {
    videos: await Promise.all(rows.map((r) => toVideoDto(services, r, userId))),
    nextCursor: last ? `${last.createdAt}.${last.id}` : null,
  };
}

type VideoContext = { var: AppEnv["Variables"]; req: { param(name: string): string | undefined } };

/** The video if the caller may see it; otherwise the same 404 as for an id that never existed. */
async function findVisibleVideo(c: VideoContext) {
  const id = parseParam(VideoId, c.req.param("id"));
  const video = await new VideosRepo(c.var.services.db).find(id);
  if (!video || !canView(video, c.var.userId)) throw notFound();
  return video;
}

/** The video if the caller owns it; anyone else's (or none) is 404, never 403. */
async function findOwnedVideo(c: VideoContext) {
  const id = parseParam(VideoId, c.req.param("id"));
  const video = await new VideosRepo(c.var.services.db).find(id);
  if (!video || !isOwner(video, c.var.userId)) throw notFound();
  return video;
}

export const videosRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const q = ListQuery.safeParse(c.req.query());
    if (!q.success) throw validationError(q.error, "query");
    const rows = await new VideosRepo(c.var.services.db).listPublicReady(q.data.limit, q.data.after);
    return c.json(await videoPage(c.var.services, rows, q.data.limit, c.var.userId));
  })
  .get("/:id", optionalAuth(), async (c) =>
    c.json(await toVideoDto(c.var.services, await findVisibleVideo(c), c.var.userId)),
  )
  .patch("/:id", requireAuth(), async (c) => {
    const video = await findOwnedVideo(c);
    const patch = await jsonBody(c, UpdateVideoBody);
    const repo = new VideosRepo(c.var.services.db);
    await repo.update(video.id, patch);
    return c.json(await toVideoDto(c.var.services, (await repo.find(video.id))!, c.var.userId));
  })
  .delete("/:id", requireAuth(), async (c) => {
    const video = await findOwnedVideo(c);
    const { store } = c.var.services;
    if (video.status === "uploading" && video.uploadId) {
      await store.abortMultipart(sourceKey(video.id), video.uploadId).catch(() => {});
    }
    await new VideosRepo(c.var.services.db).delete(video.id);
    // Objects go after the row: a half-finished cleanup leaves orphans for the sweeper, never a dangling row.
    // A transcode in flight is cancelled (the node kills ffmpeg) and watchers are told the video is gone.
    const { config, env } = c.var.services;
    c.executionCtx.waitUntil(
      Promise.allSettled([
        video.jobId && (video.status === "queued" || video.status === "processing")
          ? cancelJob(config, { jobId: video.jobId, videoId: video.id, reason: "video deleted" })
          : Promise.resolve(0),
        roomNotifier(env).close(video.id, "video deleted"),
      ]).then(() => deletePrefixes(store, [`videos/${video.id}/`, `uploads/${video.id}/`])),
    );
    return c.body(null, 204);
  })
  .get("/:id/playlist.m3u8", optionalAuth(), async (c) => {
    const video = await findVisibleVideo(c);
    if (!video.playable) {
      return c.json({ error: { code: "not_playable", message: `video is ${video.status}` } }, 409);
    }
    const { hls } = await playbackFor(c.var.services, video, c.var.userId);
    c.header("cache-control", "private, no-store");
    return c.redirect(hls, 302);
  });

export async function deletePrefixes(store: Pick<ObjectStore, "list" | "delete">, prefixes: string[]) {
  for (const prefix of prefixes) await deleteUnder(store, prefix);
}
