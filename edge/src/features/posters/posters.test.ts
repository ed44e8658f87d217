import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo, postEvent, repo } from "../../../test/fixtures.ts";
import { call, callJson, waitFor } from "../../../test/http.ts";
import { sniffImage } from "./posters.routes.ts";

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1]);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const WEBP = new TextEncoder().encode("RIFF\u0000\u0000\u0000\u0000WEBPVP8 ");

type Job = {
  type: string;
  videoId: string;
  jobId: string;
  attemptId: string;
  attempt: number;
  source: { key: string };
};

async function fleetJobs(videoId: string): Promise<Job[]> {
  const res = await fetch(`${env.FLEET_URL}/__jobs?videoId=${videoId}`);
  return ((await res.json()) as { jobs: Job[] }).jobs;
}

describe("image sniffing", () => {
  it("recognises JPEG, PNG and WebP by their bytes only", () => {
    expect(sniffImage(JPEG)).toBe("image/jpeg");
    expect(sniffImage(PNG)).toBe("image/png");
    expect(sniffImage(WEBP)).toBe("image/webp");
    expect(sniffImage(new TextEncoder().encode("<svg onload=alert(1)>"))).toBeNull();
  });
});

describe("custom posters", () => {
  let owner: TestUser;
  beforeAll(async () => {
    owner = await signUp();
  });

  it("queues a poster job, and its result becomes the thumbnail", async () => {
    const video = await insertVideo({
      ownerId: owner.id,
      status: "ready",
      playable: true,
      posterKey: null,
    });
    const put = await callJson<{ status: string }>(`/api/videos/${video.id}/poster`, {
      method: "PUT",
      body: JPEG,
      headers: { ...owner.auth, "content-type": "image/jpeg" },
    });
    expect(put.status).toBe(202);
    const [job] = await waitFor(async () => {
      const jobs = (await fleetJobs(video.id)).filter((j) => j.type === "poster");
      return jobs.length > 0 && jobs;
    });
    expect(job).toMatchObject({
      type: "poster",
      videoId: video.id,
      source: { key: `uploads/${video.id}/poster-source` },
    });

    const base = {
      v: 1,
      videoId: video.id,
      jobId: job!.jobId,
      attempt: 1,
      attemptId: job!.attemptId,
      at: new Date().toISOString(),
    };
    const res = await postEvent({
      ...base,
      type: "poster",
      seq: 1,
      posterKey: `videos/${video.id}/poster-1.jpg`,
      posterWebpKey: `videos/${video.id}/poster-1.webp`,
      // Sent widest first: the DTO lists them narrowest first.
      posterSizes: [
        { key: `videos/${video.id}/poster-1.webp`, width: 1280, height: 720 },
        { key: `videos/${video.id}/poster-1-320.webp`, width: 320, height: 180 },
      ],
    });
    expect(res.status).toBe(200);
    const dto = await callJson<{ thumbnailUrl: string; posterSizes: { url: string; width: number }[] }>(
      `/api/videos/${video.id}`,
    );
    expect(dto.body.thumbnailUrl).toMatch(new RegExp(`^/v/${video.id}/[^/]+/poster-1\\.jpg$`));
    // Signed like the thumbnail (same token), so the signed delivery serves them.
    const token = dto.body.thumbnailUrl.split("/")[3];
    expect(dto.body.posterSizes).toEqual([
      { url: `/v/${video.id}/${token}/poster-1-320.webp`, width: 320, height: 180 },
      { url: `/v/${video.id}/${token}/poster-1.webp`, width: 1280, height: 720 },
    ]);
    // The poster job must not have taken over the video's transcode lease or attempt.
    expect((await repo().find(video.id))!.attemptId).toBe(video.attemptId);
  });

  it("a transcode finishing after a custom poster keeps the custom poster; trick-play is exposed", async () => {
    const video = await insertVideo({ ownerId: owner.id, status: "processing", posterKey: null });
    await call(`/api/videos/${video.id}/poster`, {
      method: "PUT",
      body: PNG,
      headers: { ...owner.auth, "content-type": "image/png" },
    });
    await repo().update(video.id, { posterKey: `videos/${video.id}/poster-7.jpg` });
    const probe = {
      durationSec: 4,
      width: 640,
      height: 360,
      displayWidth: 640,
      displayHeight: 360,
      rotation: 0,
      fps: 30,
      videoCodec: "h264",
      audioCodec: null,
      hasAudio: false,
      audioTracks: 0,
    };
    const rendition = {
      name: "360p",
      kind: "video",
      width: 640,
      height: 360,
      bandwidth: 800_000,
      averageBandwidth: 600_000,
      codecs: "avc1.64001e",
      frameRate: 30,
      playlist: "360p/index.m3u8",
    };
    await postEvent({
      v: 1,
      type: "done",
      videoId: video.id,
      jobId: video.jobId!,
      attempt: video.attempt,
      attemptId: video.attemptId!,
      seq: 0,
      at: new Date().toISOString(),
      probe,
      renditions: [rendition],
      masterKey: `videos/${video.id}/master.m3u8`,
      posterKey: `videos/${video.id}/poster.jpg`,
      trickplay: {
        vttKey: `videos/${video.id}/trickplay/thumbnails.vtt`,
        spriteKeys: [`videos/${video.id}/trickplay/sprite-0.jpg`],
        intervalSec: 2,
      },
    });
    const dto = await callJson<{ status: string; thumbnailUrl: string; trickplayUrl: string }>(
      `/api/videos/${video.id}`,
    );
    expect(dto.body.status).toBe("ready");
    expect(dto.body.thumbnailUrl).toMatch(/\/poster-7\.jpg$/);
    expect(dto.body.trickplayUrl).toMatch(new RegExp(`^/v/${video.id}/[^/]+/trickplay/thumbnails\\.vtt$`));
  });

  it("a generated poster's sizes reach the DTO; a video from before sizes has none; a foreign key is refused", async () => {
    const old = await insertVideo({ ownerId: owner.id, status: "ready", playable: true });
    const before = await callJson<{ thumbnailUrl: string | null; posterSizes: unknown[] }>(
      `/api/videos/${old.id}`,
    );
    expect(before.body.posterSizes).toEqual([]);

    const video = await insertVideo({ ownerId: owner.id, status: "processing", posterKey: null });
    const done = (posterSizes: { key: string; width: number; height: number }[]) => ({
      v: 1,
      type: "done",
      videoId: video.id,
      jobId: video.jobId!,
      attempt: video.attempt,
      attemptId: video.attemptId!,
      seq: 0,
      at: new Date().toISOString(),
      probe: {
        durationSec: 4,
        width: 854,
        height: 480,
        displayWidth: 854,
        displayHeight: 480,
        rotation: 0,
        fps: 30,
        videoCodec: "h264",
        audioCodec: null,
        hasAudio: false,
        audioTracks: 0,
      },
      renditions: [
        {
          name: "480p",
          kind: "video",
          width: 854,
          height: 480,
          bandwidth: 900_000,
          averageBandwidth: 800_000,
          codecs: "avc1.64001e",
          frameRate: 30,
          playlist: "480p/index.m3u8",
        },
      ],
      masterKey: `videos/${video.id}/master.m3u8`,
      posterKey: `videos/${video.id}/poster.jpg`,
      posterSizes,
    });
    const foreign = await postEvent(
      done([{ key: `videos/v_other/poster-320.webp`, width: 320, height: 180 }]),
    );
    expect(foreign.status).toBe(400);
    const ok = await postEvent(
      done([
        { key: `videos/${video.id}/poster-320.webp`, width: 320, height: 180 },
        { key: `videos/${video.id}/poster-640.webp`, width: 640, height: 360 },
        { key: `videos/${video.id}/poster-854.webp`, width: 854, height: 480 },
      ]),
    );
    expect(ok.status).toBe(200);
    const dto = await callJson<{ posterSizes: { url: string; width: number }[] }>(`/api/videos/${video.id}`);
    expect(dto.body.posterSizes.map((s) => s.width)).toEqual([320, 640, 854]);
    expect(dto.body.posterSizes[0]!.url).toMatch(new RegExp(`^/v/${video.id}/[^/]+/poster-320\\.webp$`));
  });

  it("refuses what is not an image (415), oversize files (413) and other people's videos (404)", async () => {
    const stranger = await signUp();
    const video = await insertVideo({ ownerId: owner.id, status: "ready", playable: true });
    const put = (body: Uint8Array, type: string, auth = owner.auth) =>
      call(`/api/videos/${video.id}/poster`, {
        method: "PUT",
        body,
        headers: { ...auth, "content-type": type },
      });
    expect((await put(new TextEncoder().encode("<svg/>"), "image/jpeg")).status).toBe(415);
    expect((await put(PNG, "image/jpeg")).status).toBe(415);
    expect((await put(new Uint8Array(10 * 1024 * 1024 + 1), "image/jpeg")).status).toBe(413);
    expect((await put(JPEG, "image/jpeg", stranger.auth)).status).toBe(404);
    expect((await call(`/api/videos/${video.id}/poster`, { method: "PUT", body: JPEG })).status).toBe(401);
  });
});
