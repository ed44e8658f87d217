/** Video metadata, listing, edits, deletion and the playlist redirect. */
import { sourceKey, UpdateVideoBody, VideoId } from "@streamline/contracts";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../app-env.ts";
import { notFound, validationError } from "../../lib/errors.ts";
import { jsonBody, parseParam } from "../../lib/validate.ts";
import { playbackFor, toVideoDto } from "./videos.service.ts";
import { VideosRepo } from "./videos.repo.ts";

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(24),
  before: z.coerce.number().int().positive().optional(),
});

async function findVideo(c: { var: AppEnv["Variables"]; req: { param(name: string): string | undefined } }) {
  const id = parseParam(VideoId, c.req.param("id"));
  const video = await new VideosRepo(c.var.services.db).find(id);
  if (!video) throw notFound();
  return video;
}

export const videosRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const q = ListQuery.safeParse(c.req.query());
    if (!q.success) throw validationError(q.error, "query");
    const rows = await new VideosRepo(c.var.services.db).listPublicReady(q.data.limit, q.data.before);
    const videos = await Promise.all(rows.map((r) => toVideoDto(c.var.services, r)));
    return c.json({ videos });
  })
  .get("/:id", async (c) => c.json(await toVideoDto(c.var.services, await findVideo(c))))
  .patch("/:id", async (c) => {
    const video = await findVideo(c);
    const patch = await jsonBody(c, UpdateVideoBody);
    const repo = new VideosRepo(c.var.services.db);
    await repo.update(video.id, patch);
    return c.json(await toVideoDto(c.var.services, (await repo.find(video.id))!));
  })
  .delete("/:id", async (c) => {
    const video = await findVideo(c);
    const { store } = c.var.services;
    if (video.status === "uploading" && video.uploadId) {
      await store.abortMultipart(sourceKey(video.id), video.uploadId).catch(() => {});
    }
    await new VideosRepo(c.var.services.db).delete(video.id);
    // Objects go after the row: a half-finished cleanup leaves orphans for the sweeper, never a dangling row.
    c.executionCtx.waitUntil(deletePrefixes(store, [`videos/${video.id}/`, `uploads/${video.id}/`]));
    return c.body(null, 204);
  })
  .get("/:id/playlist.m3u8", async (c) => {
    const video = await findVideo(c);
    if (!video.playable) {
      return c.json({ error: { code: "not_playable", message: `video is ${video.status}` } }, 409);
    }
    const { hls } = await playbackFor(c.var.services, video.id);
    c.header("cache-control", "private, no-store");
    return c.redirect(hls, 302);
  });

export async function deletePrefixes(
  store: { list(prefix: string, cursor?: string): Promise<{ keys: string[]; cursor?: string }>; delete(keys: string[]): Promise<void> },
  prefixes: string[],
) {
  for (const prefix of prefixes) {
    let cursor: string | undefined;
    do {
      const page = await store.list(prefix, cursor);
      await store.delete(page.keys);
      cursor = page.cursor;
    } while (cursor);
  }
}
