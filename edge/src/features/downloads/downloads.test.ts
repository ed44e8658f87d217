/**
 * Static MP4 downloads (ADR 0027) on real D1, storage and the queue → test-fleet path: the
 * first request queues one `download` job (a second waits on the same claim), the fleet's
 * event makes it a 302 to a signed `download/{rung}.mp4`, which delivery serves as an
 * attachment. Who may: the owner always; others only with downloads on; 404 otherwise.
 */
import { env } from "cloudflare:workers";
import type { DownloadJobV1, Job, Rendition } from "@streamline/contracts";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo, postEvent } from "../../../test/fixtures.ts";
import { call, callJson, waitFor } from "../../../test/http.ts";
import { services } from "../../lib/services.ts";

async function fleetJobs(videoId: string): Promise<Job[]> {
  const res = await fetch(`${env.FLEET_URL}/__jobs?videoId=${videoId}`);
  return ((await res.json()) as { jobs: Job[] }).jobs;
}

const rung = (name: string, height: number, codecs = "avc1.4d401e,mp4a.40.2"): Rendition => ({
  name,
  kind: "video",
  width: Math.round((height * 16) / 9),
  height,
  bandwidth: height * 4000,
  averageBandwidth: height * 3000,
  codecs,
  frameRate: 30,
  playlist: `${name}/index.m3u8`,
});
const audio: Rendition = {
  ...rung("audio", 0, "mp4a.40.2"),
  kind: "audio",
  bandwidth: 130_000,
  averageBandwidth: 128_000,
  playlist: "audio/index.m3u8",
};
const RENDITIONS = JSON.stringify([
  rung("360p", 360),
  rung("720p-av1", 720, "av01.0.05M.08"),
  rung("720p", 720),
  audio,
]);

type Preparing = { status: string; rung: string; retryAfterSec: number };

function readyVideo(owner: TestUser, extra: Parameters<typeof insertVideo>[0] = {}) {
  return insertVideo({
    ownerId: owner.id,
    status: "ready",
    playable: true,
    visibility: "public",
    durationSec: 10,
    renditionsJson: RENDITIONS,
    ...extra,
  });
}

/** The fleet's answer for a download job, as the transcoder sends it. */
function finish(job: DownloadJobV1, type: "download" | "failed" = "download") {
  const base = {
    v: 1,
    videoId: job.videoId,
    jobId: job.jobId,
    attempt: 1,
    attemptId: job.attemptId,
    at: new Date().toISOString(),
    seq: 1,
  };
  return postEvent(
    type === "download"
      ? { ...base, type, rung: job.rung, key: job.outputKey, sizeBytes: 4, durationSec: 10 }
      : { ...base, type, reason: "the MP4 could not be assembled", retryable: false },
  );
}

async function downloadJobs(videoId: string, count = 1): Promise<DownloadJobV1[]> {
  return waitFor(async () => {
    const jobs = (await fleetJobs(videoId)).filter((j): j is DownloadJobV1 => j.type === "download");
    return jobs.length >= count && jobs;
  });
}

describe("GET /api/videos/:id/download", () => {
  let owner: TestUser;
  let viewer: TestUser;
  beforeAll(async () => {
    [owner, viewer] = await Promise.all([signUp(), signUp()]);
  });

  it("prepares once (202 + Retry-After), then 302s to a signed attachment of the highest H.264 rung", async () => {
    const video = await readyVideo(owner);
    const first = await callJson<Preparing>(`/api/videos/${video.id}/download`, { headers: owner.auth });
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body).toEqual({ status: "preparing", rung: "720p", retryAfterSec: 5 });
    expect(first.res.headers.get("retry-after")).toBe("5");
    const again = await call(`/api/videos/${video.id}/download`, { headers: owner.auth });
    expect(again.status).toBe(202);

    const [job] = await downloadJobs(video.id);
    expect(job).toMatchObject({
      type: "download",
      videoId: video.id,
      rung: "720p",
      playlists: { video: "720p/index.m3u8", audio: "audio/index.m3u8" },
      outputKey: `videos/${video.id}/download/720p.mp4`,
    });
    // The second request found the claim: one job only.
    expect((await fleetJobs(video.id)).filter((j) => j.type === "download")).toHaveLength(1);

    await services(env).store.put(job!.outputKey, new Uint8Array([0, 0, 0, 8]), { contentType: "video/mp4" });
    expect((await finish(job!)).status).toBe(200);
    const done = await call(`/api/videos/${video.id}/download`, { headers: owner.auth, redirect: "manual" });
    expect(done.status).toBe(302);
    const location = done.headers.get("location")!;
    expect(location).toMatch(new RegExp(`^/v/${video.id}/[^/]+/download/720p\\.mp4$`));
    const file = await call(location);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("video/mp4");
    expect(file.headers.get("content-disposition")).toBe('attachment; filename="Test video-720p.mp4"');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(new Uint8Array([0, 0, 0, 8]));
    // The signature is the delivery token: a forged one is refused.
    expect((await call(location.replace(/\/v\/([^/]+)\/[^/]+\//, "/v/$1/forged/"))).status).toBe(403);
  });

  it("a named rung, an unknown rung (404), a malformed one (400)", async () => {
    const video = await readyVideo(owner);
    const low = await callJson<Preparing>(`/api/videos/${video.id}/download?rung=360p`, {
      headers: owner.auth,
    });
    expect(low.status).toBe(202);
    expect(low.body.rung).toBe("360p");
    const av1 = await callJson<Preparing>(`/api/videos/${video.id}/download?rung=720p-av1`, {
      headers: owner.auth,
    });
    expect(av1.body.rung).toBe("720p-av1");
    const unknown = await callJson<{ error: { message: string } }>(
      `/api/videos/${video.id}/download?rung=1080p`,
      { headers: owner.auth },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain("it has: 720p, 720p-av1, 360p");
    expect((await call(`/api/videos/${video.id}/download?rung=../x`, { headers: owner.auth })).status).toBe(
      400,
    );
  });

  it("viewers: 404 while downloads are off; the owner turns them on, then off again (old links stop)", async () => {
    const video = await readyVideo(owner);
    const dto = await callJson<{ download?: { enabled: boolean } }>(`/api/videos/${video.id}`, {
      headers: owner.auth,
    });
    expect(dto.body.download).toEqual({ enabled: false });
    const seen = await callJson<{ download?: unknown }>(`/api/videos/${video.id}`, { headers: viewer.auth });
    expect(seen.body.download).toBeUndefined();

    expect((await call(`/api/videos/${video.id}/download`, { headers: viewer.auth })).status).toBe(404);
    expect((await call(`/api/videos/${video.id}/download`)).status).toBe(404);
    const on = await callJson<{ download: { enabled: boolean } }>(`/api/videos/${video.id}`, {
      method: "PATCH",
      json: { download: { enabled: true } },
      headers: owner.auth,
    });
    expect(on.body.download).toEqual({ enabled: true });
    expect((await call(`/api/videos/${video.id}/download`)).status).toBe(202);
    const [job] = await downloadJobs(video.id);
    await services(env).store.put(job!.outputKey, new Uint8Array([1, 2]), { contentType: "video/mp4" });
    await finish(job!);
    const done = await call(`/api/videos/${video.id}/download`, { redirect: "manual" });
    expect(done.status).toBe(302);
    const location = done.headers.get("location")!;
    expect((await call(location)).status).toBe(200);

    await call(`/api/videos/${video.id}`, {
      method: "PATCH",
      json: { download: { enabled: false } },
      headers: owner.auth,
    });
    expect((await call(location)).status).toBe(404);
    expect((await call(`/api/videos/${video.id}/download`)).status).toBe(404);
    // The owner still may.
    expect(
      (await call(`/api/videos/${video.id}/download`, { headers: owner.auth, redirect: "manual" })).status,
    ).toBe(302);
  });

  it("a private video is 404 to others even with downloads on; not ready is 409; a failed remux is 409", async () => {
    const hidden = await readyVideo(owner, { visibility: "private", downloadEnabled: true });
    expect((await call(`/api/videos/${hidden.id}/download`, { headers: viewer.auth })).status).toBe(404);

    const processing = await readyVideo(owner, { status: "processing" });
    const busy = await callJson<{ error: { code: string } }>(`/api/videos/${processing.id}/download`, {
      headers: owner.auth,
    });
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe("not_ready");

    const broken = await readyVideo(owner);
    await call(`/api/videos/${broken.id}/download`, { headers: owner.auth });
    const [job] = await downloadJobs(broken.id);
    expect((await finish(job!, "failed")).status).toBe(200);
    const failed = await callJson<{ error: { code: string } }>(`/api/videos/${broken.id}/download`, {
      headers: owner.auth,
    });
    expect(failed.status).toBe(409);
    expect(failed.body.error.code).toBe("download_failed");
  });

  it("the download file is not served to a viewer's token of a video without downloads", async () => {
    const video = await readyVideo(owner);
    await services(env).store.put(`videos/${video.id}/download/720p.mp4`, new Uint8Array([9]), {
      contentType: "video/mp4",
    });
    const meta = await callJson<{ playback: { hls: string } }>(`/api/videos/${video.id}`);
    const guessed = meta.body.playback.hls.replace("master.m3u8", "download/720p.mp4");
    expect((await call(guessed)).status).toBe(404);
  });
});
