/**
 * Hole 10 (issue 11): failure text reaches viewers only as the fixed vocabulary; the owner
 * also gets a sanitized detail; nothing from the fleet's raw output is shown or broadcast.
 */
import { env } from "cloudflare:workers";
import { FAILURE_MESSAGES, type WsMessage } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { signUp } from "../../../test/auth.ts";
import { insertVideo, postEvent, repo } from "../../../test/fixtures.ts";
import { call, callJson, waitFor } from "../../../test/http.ts";
import type { VideoRow } from "../../db/schema.ts";
import { roomStub } from "../progress/room-notifier.ts";
import { failureFor, watcherSafe } from "./video-failure.ts";

const PRESIGNED =
  "http://s3.internal:9000/streamline/uploads/v_x/source?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0123abcd";
/** What an older (or hostile) fleet node could send: stderr with the source URL, a host, a path. */
const LEAKY = `transcoding failed: [mov,mp4 @ 0x55d0c8a1b2c0] moov atom not found | ${PRESIGNED}: Invalid data | connect 10.0.3.7:9000 | /tmp/streamline-job-Ab12/source`;
const LEAK = /https?:|X-Amz|s3\.internal|10\.0\.3\.7|\/tmp\/|streamline-job-|0x55d0c8a1b2c0/;

function failedEvent(video: VideoRow, extra: Record<string, unknown>) {
  return {
    v: 1,
    type: "failed",
    videoId: video.id,
    jobId: video.jobId!,
    attempt: video.attempt,
    attemptId: video.attemptId!,
    seq: 0,
    at: new Date().toISOString(),
    retryable: false,
    ...extra,
  };
}

async function watch(videoId: string, auth: Record<string, string> = {}) {
  const ticket = await callJson<{ ticket: string }>("/api/ws-ticket", {
    method: "POST",
    json: { videoId },
    headers: auth,
  });
  expect(ticket.status).toBe(201);
  const res = await call(`/ws/videos/${videoId}?ticket=${ticket.body.ticket}`, {
    headers: { upgrade: "websocket" },
  });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const frames: string[] = [];
  ws.addEventListener("message", (e) => frames.push(e.data as string));
  ws.accept();
  return { ws, frames };
}

describe("failure text: vocabulary for viewers, sanitized detail for the owner (hole 10)", () => {
  it("a viewer's GET shows only the code and its sentence; the owner's adds a clean detail", async () => {
    const owner = await signUp();
    const stranger = await signUp();
    const video = await insertVideo({ ownerId: owner.id, visibility: "public" });
    expect((await postEvent(failedEvent(video, { reason: LEAKY, code: "corrupt_file" }))).status).toBe(200);

    const sentence = FAILURE_MESSAGES.corrupt_file;
    for (const auth of [{}, stranger.auth]) {
      const res = await call(`/api/videos/${video.id}`, { headers: auth });
      const text = await res.text();
      expect(text).not.toMatch(LEAK);
      expect(text).not.toContain("moov atom");
      expect(JSON.parse(text)).toMatchObject({
        status: "failed",
        failureReason: sentence,
        failure: { code: "corrupt_file", message: sentence },
      });
      expect(JSON.parse(text).failure.detail).toBeUndefined();
    }

    const mine = await callJson<{ failureReason: string; failure: { detail?: string } }>(
      `/api/videos/${video.id}`,
      { headers: owner.auth },
    );
    expect(mine.body.failureReason).toBe(sentence);
    expect(mine.body.failure).toMatchObject({ code: "corrupt_file", message: sentence });
    expect(mine.body.failure.detail).toContain("moov atom not found");
    expect(mine.body.failure.detail).not.toMatch(LEAK);

    // D1 keeps the code and the sanitized detail, not the fleet's raw text.
    const row = (await repo().find(video.id))!;
    expect(row.failureCode).toBe("corrupt_file");
    expect(row.failureReason).not.toMatch(LEAK);
  });

  it("WebSocket watchers (the owner's socket too) get the vocabulary only, live and in the snapshot", async () => {
    const owner = await signUp();
    const video = await insertVideo({ ownerId: owner.id, visibility: "public" });
    const viewer = await watch(video.id);
    const owners = await watch(video.id, owner.auth);
    // No code from the fleet (an older node): the edge infers one.
    expect(
      (
        await postEvent(
          failedEvent(video, { reason: `not a playable video: no video stream found ${PRESIGNED}` }),
        )
      ).status,
    ).toBe(200);
    for (const w of [viewer, owners]) {
      await waitFor(async () => w.frames.some((f) => f.includes('"type":"failed"')));
      for (const f of w.frames) expect(f).not.toMatch(LEAK);
      const failed = w.frames.map((f) => JSON.parse(f) as WsMessage).find((m) => m.type === "failed");
      expect(failed).toEqual({ type: "failed", reason: FAILURE_MESSAGES.not_a_video, code: "not_a_video" });
      w.ws.close(1000);
    }
    const late = await watch(video.id);
    await waitFor(async () => late.frames.some((f) => f.includes('"type":"failed"')));
    expect(late.frames.join("\n")).not.toMatch(/no video stream|https?:/);
    late.ws.close(1000);
  });

  it("whatever a publisher hands the room, failure text goes out as the vocabulary", async () => {
    const video = await insertVideo();
    const w = await watch(video.id);
    await roomStub(env, video.id).publish(video.id, [
      { type: "status", status: "failed", playable: false, failureReason: `ffmpeg said ${PRESIGNED}` },
      { type: "failed", reason: `ffmpeg said ${PRESIGNED}` },
    ]);
    await waitFor(async () => w.frames.length >= 2);
    expect(w.frames.map((f) => JSON.parse(f))).toEqual([
      {
        type: "status",
        status: "failed",
        playable: false,
        failureReason: FAILURE_MESSAGES.transcode_error,
        failureCode: "transcode_error",
      },
      { type: "failed", reason: FAILURE_MESSAGES.transcode_error, code: "transcode_error" },
    ]);
    w.ws.close(1000);
  });

  it("rows failed before codes existed: a code from the text, the raw text never shown raw", async () => {
    const owner = await signUp();
    const video = await insertVideo({ ownerId: owner.id, status: "failed", failureReason: LEAKY });
    const anyone = await callJson<Record<string, unknown>>(`/api/videos/${video.id}`);
    expect(anyone.body).toMatchObject({
      failureReason: FAILURE_MESSAGES.transcode_error,
      failure: { code: "transcode_error", message: FAILURE_MESSAGES.transcode_error },
    });
    const mine = await callJson<{ failure: { detail: string } }>(`/api/videos/${video.id}`, {
      headers: owner.auth,
    });
    expect(mine.body.failure.detail).toMatch(/moov atom not found/);
    expect(mine.body.failure.detail).not.toMatch(LEAK);
  });

  it("failureFor / watcherSafe are pure and total", () => {
    expect(failureFor({ failureCode: "bogus", failureReason: "upload aborted" }, false)).toEqual({
      code: "upload_aborted",
      message: FAILURE_MESSAGES.upload_aborted,
    });
    expect(failureFor({ failureCode: null, failureReason: null }, true)).toEqual({
      code: "transcode_error",
      message: FAILURE_MESSAGES.transcode_error,
    });
    const progress: WsMessage = { type: "progress", stage: "encode", percent: 5 };
    expect(watcherSafe(progress)).toBe(progress);
  });
});
