/** Builders for rows and jobs used across edge tests (real D1, no mocks). */
import { env } from "cloudflare:workers";
import {
  type Job,
  SIGNATURE_HEADER,
  type SignatureDirection,
  signRequest,
  type TranscoderEvent,
} from "@streamline/contracts";
import { database } from "../src/db/client.ts";
import { VideosRepo } from "../src/features/videos/videos.repo.ts";
import { newAttemptId, newVideoId } from "../src/lib/ids.ts";
import { services } from "../src/lib/services.ts";
import { call } from "./http.ts";
import { TEST_SECRETS } from "./secrets.ts";

export const repo = () => new VideosRepo(database(env.DB));

export async function insertVideo(
  patch: Parameters<VideosRepo["insert"]>[0] extends infer R ? Partial<R> : never = {},
) {
  const id = patch.id ?? newVideoId();
  const now = Date.now();
  await repo().insert({
    id,
    title: "Test video",
    status: "processing",
    filename: "clip.mp4",
    contentType: "video/mp4",
    size: 1000,
    partSize: 8 * 1024 * 1024,
    partCount: 1,
    uploadExpiresAt: now + 3600_000,
    jobId: `j_${id.slice(2)}`,
    attempt: 1,
    attemptId: newAttemptId(),
    ...patch,
  });
  return (await repo().find(id))!;
}

/** A one-rung master playlist pointing at `240p/index.m3u8`. */
export const MASTER_240P = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=400000\n240p/index.m3u8\n";
/** A one-segment fMP4 media playlist (`init.mp4`, `seg_00001.m4s`). */
export const PLAYLIST_240P =
  '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2,\nseg_00001.m4s\n#EXT-X-ENDLIST\n';

/**
 * A public, ready, playable video of `ownerId` whose files are in storage: `files` maps a
 * path under `videos/{id}/` to its body (`master.m3u8` is set as the master key). Returns the row.
 */
export async function publishVideo(
  ownerId: string,
  files: Record<string, string | Uint8Array>,
  patch: Parameters<typeof insertVideo>[0] = {},
) {
  const id = patch.id ?? newVideoId();
  const video = await insertVideo({
    id,
    ownerId,
    visibility: "public",
    status: "ready",
    playable: true,
    masterKey: `videos/${id}/master.m3u8`,
    ...patch,
  });
  const { store } = services(env);
  for (const [path, body] of Object.entries(files)) await store.put(`videos/${id}/${path}`, body);
  return video;
}

export function jobFor(video: { id: string; attempt: number; attemptId: string | null }): Job {
  return {
    v: 1,
    type: "transcode",
    jobId: `j_${video.id.slice(2)}`,
    videoId: video.id,
    attempt: video.attempt,
    attemptId: video.attemptId!,
    source: { key: `uploads/${video.id}/source`, size: 1000, contentType: "video/mp4" },
    outputPrefix: `videos/${video.id}/`,
    createdAt: new Date().toISOString(),
  };
}

export const EVENTS_PATH = "/internal/transcoder/events";

/** A fleet→edge signature for `body` POSTed to `path`, as the transcoder makes it. */
export function fleetSignature(
  body: string,
  opts: { secret?: string; at?: number; path?: string; direction?: SignatureDirection } = {},
) {
  return signRequest(
    opts.secret ?? TEST_SECRETS.TRANSCODER_SECRET,
    opts.direction ?? "fleet-to-edge",
    { method: "POST", path: opts.path ?? EVENTS_PATH, body },
    opts.at,
  );
}

export async function postEvent(
  event: TranscoderEvent | Record<string, unknown>,
  opts: Parameters<typeof fleetSignature>[1] & { signature?: string | null } = {},
) {
  const body = JSON.stringify(event);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (opts.signature !== null)
    headers[SIGNATURE_HEADER] = opts.signature ?? (await fleetSignature(body, opts));
  return call(EVENTS_PATH, { method: "POST", body, headers });
}

export async function scriptFleet(videoId: string, statuses: (number | string)[]) {
  await fetch(`${env.FLEET_URL}/__script`, { method: "POST", body: JSON.stringify({ videoId, statuses }) });
}
