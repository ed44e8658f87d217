import { env } from "cloudflare:workers";
import { SIGNATURE_HEADER } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { fleetSignature, insertVideo, postEvent, repo } from "../../../test/fixtures.ts";
import { call, callJson, waitFor } from "../../../test/http.ts";
import type { VideoRow } from "../../db/schema.ts";
import { services } from "../../lib/services.ts";

const probe = {
  durationSec: 10,
  width: 1280,
  height: 720,
  displayWidth: 1280,
  displayHeight: 720,
  rotation: 0,
  fps: 30,
  videoCodec: "h264",
  audioCodec: "aac",
  hasAudio: true,
  audioTracks: 1,
};
const rendition = {
  name: "360p",
  kind: "video",
  width: 640,
  height: 360,
  bandwidth: 900_000,
  averageBandwidth: 700_000,
  codecs: "avc1.64001e,mp4a.40.2",
  frameRate: 30,
  playlist: "360p/index.m3u8",
};

function event(video: VideoRow, type: string, seq: number, extra: Record<string, unknown> = {}) {
  return {
    v: 1,
    type,
    videoId: video.id,
    jobId: video.jobId!,
    attempt: video.attempt,
    attemptId: video.attemptId!,
    seq,
    at: new Date().toISOString(),
    ...extra,
  };
}

describe("transcoder events", () => {
  it("refuses unsigned, stale, tampered and wrong-key events with 401", async () => {
    const video = await insertVideo();
    const ev = event(video, "heartbeat", 0, { node: "n1" });
    const cases = [
      await postEvent(ev, { signature: null }),
      await postEvent(ev, { at: Math.floor(Date.now() / 1000) - 600 }),
      await postEvent(ev, { secret: "not-the-transcoder-secret-000000" }),
      await postEvent(ev, { signature: "t=1,v1=zz" }),
      // The scheme before ADR 0010 (HMAC of "t.body" under the raw secret) no longer verifies.
      await postEvent(ev, { signature: `t=${Math.floor(Date.now() / 1000)},v1=${"ab".repeat(32)}` }),
    ];
    for (const res of cases) {
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("bad_signature");
    }
  });

  it("refuses a valid signature presented with a different body (tampered in flight)", async () => {
    const video = await insertVideo();
    const signed = JSON.stringify(event(video, "progress", 0, { stage: "encode", percent: 10 }));
    const signature = await fleetSignature(signed);
    const tampered = signed.replace('"percent":10', '"percent":99');
    const res = await call("/internal/transcoder/events", {
      method: "POST",
      body: tampered,
      headers: { [SIGNATURE_HEADER]: signature },
    });
    expect(res.status).toBe(401);
    expect((await repo().find(video.id))!.progressJson).toBeNull();
  });

  it("a replayed request (same bytes, same signature) changes nothing", async () => {
    const video = await insertVideo();
    const body = JSON.stringify(event(video, "progress", 1, { stage: "encode", percent: 30 }));
    const headers = { [SIGNATURE_HEADER]: await fleetSignature(body) };
    const send = () => call("/internal/transcoder/events", { method: "POST", body, headers });
    expect(await (await send()).json()).toEqual({ outcome: "applied" });
    await postEvent(event(video, "progress", 2, { stage: "encode", percent: 60 }));
    const replay = await send();
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ outcome: "duplicate" });
    expect(JSON.parse((await repo().find(video.id))!.progressJson!).percent).toBe(60);
  });

  it("a replayed retryable failure cannot start a second attempt (replay-safe by attempt id)", async () => {
    const video = await insertVideo({ attempt: 1 });
    const body = JSON.stringify(event(video, "failed", 0, { reason: "node shutting down", retryable: true }));
    const headers = { [SIGNATURE_HEADER]: await fleetSignature(body) };
    expect((await call("/internal/transcoder/events", { method: "POST", body, headers })).status).toBe(200);
    const next = (await repo().find(video.id))!;
    expect(next).toMatchObject({ status: "queued", attempt: 2 });
    const replay = await call("/internal/transcoder/events", { method: "POST", body, headers });
    expect(replay.status).toBe(409);
    expect(await replay.json()).toEqual({ outcome: "stale_attempt" });
    expect((await repo().find(video.id))!).toMatchObject({ attempt: 2, attemptId: next.attemptId });
  });

  it("refuses an edge→fleet signature (a job's key) over the same bytes and path", async () => {
    const video = await insertVideo();
    const ev = event(video, "progress", 0, { stage: "encode", percent: 10 });
    const res = await postEvent(ev, { direction: "edge-to-fleet" });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      error: { code: "bad_signature", message: "event signature mismatch" },
    });
    expect((await repo().find(video.id))!.progressJson).toBeNull();
  });

  it("refuses a signature made for another path (e.g. the fleet's /jobs)", async () => {
    const video = await insertVideo();
    const ev = event(video, "progress", 0, { stage: "encode", percent: 10 });
    for (const path of ["/jobs", "/internal/transcoder/events?x=1", "/internal/transcoder/events/"]) {
      expect((await postEvent(ev, { path })).status).toBe(401);
    }
    expect((await repo().find(video.id))!.progressJson).toBeNull();
  });

  it("refuses (400, nothing stored) storage keys outside the video's own videos/<id>/ prefix", async () => {
    const video = await insertVideo();
    const other = await insertVideo();
    const own = `videos/${video.id}/`;
    const done = (patch: Record<string, unknown>) =>
      event(video, "done", 1, {
        probe,
        renditions: [rendition],
        masterKey: `${own}master.m3u8`,
        posterKey: `${own}poster.jpg`,
        ...patch,
      });
    const hostile = [
      event(video, "rendition", 0, { rendition, masterKey: `uploads/${video.id}/source` }),
      event(video, "rendition", 0, { rendition, masterKey: `videos/${other.id}/master.m3u8` }),
      event(video, "rendition", 0, { rendition, masterKey: `${own}../${other.id}/master.m3u8` }),
      event(video, "rendition", 0, {
        rendition: { ...rendition, playlist: "../../x.m3u8" },
        masterKey: `${own}m.m3u8`,
      }),
      done({ masterKey: `videos/${video.id}` }),
      done({ posterKey: `videos/${other.id}/poster.jpg` }),
      done({ trickplay: { vttKey: "trickplay/thumbnails.vtt", spriteKeys: [], intervalSec: 2 } }),
      done({ trickplay: { vttKey: `${own}t.vtt`, spriteKeys: [`${own}trickplay//s.jpg`], intervalSec: 2 } }),
      done({ renditions: [{ ...rendition, playlist: "/etc/passwd" }] }),
      event(video, "poster", 0, { posterKey: `${own}\\..\\x.jpg`, posterWebpKey: null }),
      event(video, "poster", 0, {
        posterKey: `${own}p.jpg`,
        posterWebpKey: `uploads/${video.id}/poster-source`,
      }),
    ];
    for (const ev of hostile) {
      const res = await postEvent(ev);
      expect(res.status, JSON.stringify(ev)).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "validation_failed" } });
    }
    const after = (await repo().find(video.id))!;
    expect(after).toMatchObject({ status: "processing", masterKey: null, posterKey: null, playable: false });
    expect((await postEvent(done({}))).status).toBe(200);
  });

  it("validates the event body after the signature", async () => {
    const video = await insertVideo();
    const res = await postEvent(event(video, "progress", 0, { percent: 400, stage: "encode" }));
    expect(res.status).toBe(400);
  });

  it("walks a video through progress → first rendition (playable) → done (ready)", async () => {
    const video = await insertVideo({ status: "queued" });
    expect((await postEvent(event(video, "probed", 0, { probe }))).status).toBe(200);
    expect(
      (
        await postEvent(
          event(video, "progress", 1, { stage: "encode", percent: 42.5, fps: 90, speed: 3, etaSec: 4 }),
        )
      ).status,
    ).toBe(200);
    let dto = (await callJson<Record<string, unknown>>(`/api/videos/${video.id}`)).body;
    expect(dto).toMatchObject({
      status: "processing",
      playable: false,
      durationSec: 10,
      progress: { stage: "encode", percent: 42.5 },
    });

    await postEvent(
      event(video, "rendition", 2, { rendition, masterKey: `videos/${video.id}/master-1.m3u8` }),
    );
    dto = (await callJson<Record<string, unknown>>(`/api/videos/${video.id}`)).body;
    expect(dto).toMatchObject({ status: "processing", playable: true });
    expect(dto.playback).toBeTruthy();

    const done = event(video, "done", 3, {
      probe,
      renditions: [
        rendition,
        { ...rendition, name: "720p", width: 1280, height: 720, playlist: "720p/index.m3u8" },
      ],
      masterKey: `videos/${video.id}/master.m3u8`,
      posterKey: `videos/${video.id}/poster.jpg`,
    });
    expect((await postEvent(done)).status).toBe(200);
    // A duplicate `done` changes nothing and is not an error.
    const dup = await postEvent(done);
    expect(await dup.json()).toEqual({ outcome: "duplicate" });
    dto = (await callJson<Record<string, unknown>>(`/api/videos/${video.id}`)).body;
    expect(dto).toMatchObject({ status: "ready", playable: true, width: 1280, height: 720 });
    expect((dto.renditions as unknown[]).length).toBe(2);
    expect(dto.thumbnailUrl).toMatch(/\/poster\.jpg$/);
    expect(dto.progress).toBeUndefined();
  });

  it("after done, the versioned masters are pruned and the pointer's master keeps playing", async () => {
    const video = await insertVideo({ status: "processing" });
    const { store } = services(env);
    const prefix = `videos/${video.id}/`;
    const text = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=900000\n360p/index.m3u8\n";
    for (const key of [
      "master-1.m3u8",
      "master-2.m3u8",
      "master-10.m3u8",
      "master.m3u8",
      "360p/index.m3u8",
    ]) {
      await store.put(`${prefix}${key}`, text);
    }
    await postEvent(event(video, "rendition", 1, { rendition, masterKey: `${prefix}master-2.m3u8` }));
    const done = event(video, "done", 2, {
      probe,
      renditions: [rendition],
      masterKey: `${prefix}master.m3u8`,
      posterKey: `${prefix}poster.jpg`,
    });
    expect((await postEvent(done)).status).toBe(200);
    const left = await waitFor(async () => {
      const { keys } = await store.list(prefix);
      return keys.some((k) => /master-\d+/.test(k)) ? null : keys;
    });
    expect(left.sort()).toEqual([`${prefix}360p/index.m3u8`, `${prefix}master.m3u8`]);
    const { playback } = (await callJson<{ playback: { hls: string } }>(`/api/videos/${video.id}`)).body;
    expect(await (await call(playback.hls)).text()).toBe(text);
  });

  it("ignores events older than the last applied one", async () => {
    const video = await insertVideo();
    await postEvent(event(video, "progress", 5, { stage: "encode", percent: 50 }));
    const late = await postEvent(event(video, "progress", 4, { stage: "encode", percent: 40 }));
    expect(await late.json()).toEqual({ outcome: "duplicate" });
    expect(JSON.parse((await repo().find(video.id))!.progressJson!).percent).toBe(50);
  });

  it("answers 409 to another attempt's events and 410 for deleted videos", async () => {
    const video = await insertVideo();
    const stale = await postEvent({
      ...event(video, "heartbeat", 0, { node: "n" }),
      attemptId: "a_someoldattempt0000",
    });
    expect(stale.status).toBe(409);
    const gone = await postEvent({
      ...event(video, "heartbeat", 0, { node: "n" }),
      videoId: "v_0000000000000000",
    });
    expect(gone.status).toBe(410);
  });

  it("a non-retryable failure fails the video: its code for viewers, the transcoder's detail stored", async () => {
    const video = await insertVideo();
    const reason = "not a playable video: no video stream found";
    await postEvent(event(video, "failed", 0, { reason, retryable: false, code: "not_a_video" }));
    const dto = (await callJson<Record<string, unknown>>(`/api/videos/${video.id}`)).body;
    expect(dto).toMatchObject({
      status: "failed",
      failureReason: "The file is not a video.",
      failure: { code: "not_a_video", message: "The file is not a video." },
      playable: false,
    });
    expect((await repo().find(video.id))!).toMatchObject({
      failureCode: "not_a_video",
      failureReason: reason,
    });
  });

  it("a retryable failure starts the next attempt, until attempts run out", async () => {
    const video = await insertVideo({ attempt: 2 });
    await postEvent(event(video, "failed", 0, { reason: "node shutting down", retryable: true }));
    const next = (await repo().find(video.id))!;
    expect(next).toMatchObject({ status: "queued", attempt: 3 });
    expect(next.attemptId).not.toBe(video.attemptId);

    await postEvent(event(next, "failed", 0, { reason: "node shutting down", retryable: true }));
    const last = (await repo().find(video.id))!;
    expect(last.status).toBe("failed");
    expect(last.failureReason).toBe("transcoding failed after 3 attempts: node shutting down");
  });
});
