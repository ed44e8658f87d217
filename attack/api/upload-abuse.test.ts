/**
 * Upload abuse (issue 11, hole 2): a hostile uploader against the real edge Worker, D1 and
 * the embedded S3 server. Declared size ≠ stored size, parts of the wrong length, more
 * parts than planned, out-of-range part numbers, somebody else's upload, a reused aborted
 * upload, presigned URLs after abort or expiry, quota and unfinished-upload caps. Each
 * attempt gets a clear 4xx and loses nothing: honest uploads of the same user still work,
 * no oversized object stays in storage.
 */
import { env } from "cloudflare:workers";
import { AwsClient } from "aws4fetch";
import { beforeEach, describe, expect, it } from "vitest";
import { queueOf } from "../../edge/src/features/jobs/jobs.service.ts";
import { PreferencesRepo } from "../../edge/src/features/preferences/preferences.repo.ts";
import { roomNotifier } from "../../edge/src/features/progress/room-notifier.ts";
import { UploadsRepo } from "../../edge/src/features/uploads/uploads.repo.ts";
import { UploadsService } from "../../edge/src/features/uploads/uploads.service.ts";
import { VideosRepo } from "../../edge/src/features/videos/videos.repo.ts";
import { services } from "../../edge/src/lib/services.ts";
import { signUp, type TestUser } from "../../edge/test/auth.ts";
import { call, callJson } from "../../edge/test/http.ts";

type Created = {
  videoId: string;
  partSize: number;
  partCount: number;
  parts: { partNumber: number; url: string }[];
};
type Failure = { error: { code: string; message: string; issues?: Record<string, unknown>[] } };

const SIZE = 1000;
const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

async function createUpload(user: TestUser, size = SIZE) {
  const res = await callJson<Created & Failure>("/api/uploads", {
    method: "POST",
    json: { filename: "clip.mp4", size, contentType: "video/mp4" },
    headers: user.auth,
  });
  return res;
}

async function created(user: TestUser, size = SIZE): Promise<Created> {
  const res = await createUpload(user, size);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const recordPart = (
  user: TestUser,
  videoId: string,
  n: number | string,
  part: { etag: string; size: number },
) =>
  callJson<Failure>(`/api/uploads/${videoId}/parts/${n}`, { method: "PUT", json: part, headers: user.auth });

const complete = (user: TestUser, videoId: string) =>
  callJson<Failure & { status: string }>(`/api/uploads/${videoId}/complete`, {
    method: "POST",
    headers: user.auth,
  });

const partUrls = (user: TestUser, videoId: string, partNumbers: number[]) =>
  callJson<Failure & { parts: { partNumber: number; url: string }[] }>(`/api/uploads/${videoId}/urls`, {
    method: "POST",
    json: { partNumbers },
    headers: user.auth,
  });

const abort = (user: TestUser, videoId: string) =>
  call(`/api/uploads/${videoId}`, { method: "DELETE", headers: user.auth });

/** PUTs through the presigned URL, as a browser would; returns the storage's answer. */
async function putPresigned(url: string, body: Uint8Array) {
  const res = await fetch(url, { method: "PUT", body });
  await res.arrayBuffer();
  return { status: res.status, etag: res.headers.get("etag") };
}

/**
 * Writes a part with the server's own credentials, around the presigned URL: stands for a
 * storage that ignores the signed length, so the edge's own checks are what is tested.
 */
async function putAroundTheSignature(presignedUrl: string, body: Uint8Array) {
  const { config } = services(env);
  const s3 = new AwsClient({
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    region: config.S3_REGION,
    service: "s3",
  });
  const url = new URL(presignedUrl);
  for (const name of [...url.searchParams.keys()])
    if (name.startsWith("X-Amz-")) url.searchParams.delete(name);
  const res = await s3.fetch(url.toString(), { method: "PUT", body });
  expect(res.status).toBe(200);
  return res.headers.get("etag")!;
}

const storedSource = (videoId: string) => services(env).store.head(`uploads/${videoId}/source`);

async function videoRow(videoId: string) {
  return env.DB.prepare(
    "select status, failure_reason, failure_code, upload_id, source_deleted_at from videos where id = ?",
  )
    .bind(videoId)
    .first<{
      status: string;
      failure_reason: string | null;
      failure_code: string | null;
      upload_id: string | null;
      source_deleted_at: number | null;
    }>();
}

/** An honest one-part upload from start to queued: proof the attacker broke nothing of theirs. */
async function honestUpload(user: TestUser) {
  const up = await created(user);
  const put = await putPresigned(up.parts[0]!.url, bytes(SIZE));
  expect(put.status).toBe(200);
  expect((await recordPart(user, up.videoId, 1, { etag: put.etag!, size: SIZE })).status).toBe(204);
  const done = await complete(user, up.videoId);
  expect(done.status).toBe(202);
  expect((await storedSource(up.videoId))?.size).toBe(SIZE);
  return up.videoId;
}

/** A fresh attacker per test: the per-user upload rate limit and caps never bleed between tests. */
let attacker: TestUser;
beforeEach(async () => {
  attacker = await signUp();
});

describe("declared size ≠ stored size", () => {
  it.each([
    ["more bytes than declared", SIZE * 5],
    ["fewer bytes than declared", 10],
  ])(
    "%s: complete fails with 422 size_mismatch, the object is deleted, the video is failed",
    async (_n, real) => {
      const up = await created(attacker);
      const etag = await putAroundTheSignature(up.parts[0]!.url, bytes(real));
      expect((await recordPart(attacker, up.videoId, 1, { etag, size: SIZE })).status).toBe(204);

      const res = await complete(attacker, up.videoId);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe("size_mismatch");
      expect(res.body.error.message).toContain(`declared ${SIZE} bytes`);
      expect(res.body.error.message).toContain(`stored ${real}`);
      expect(await storedSource(up.videoId)).toBeNull();
      const row = await videoRow(up.videoId);
      expect(row).toMatchObject({ status: "failed", failure_code: "upload_size_mismatch", upload_id: null });
      expect(row!.failure_reason).toContain(`declared ${SIZE} bytes`);
      expect(row!.source_deleted_at).toBeGreaterThan(0);
      // Completing again changes nothing: still failed, nothing queued.
      expect((await complete(attacker, up.videoId)).status).toBe(409);
      expect((await videoRow(up.videoId))!.status).toBe("failed");
    },
  );

  it("a part of the wrong length is refused by storage at the signed URL (the length is signed)", async () => {
    const up = await created(attacker);
    const url = up.parts[0]!.url;
    expect(new URL(url).searchParams.get("X-Amz-SignedHeaders")).toContain("content-length");
    expect((await putPresigned(url, bytes(SIZE + 1))).status).toBe(403);
    expect((await putPresigned(url, bytes(SIZE * 1000))).status).toBe(403);
    expect((await putPresigned(url, bytes(SIZE - 1))).status).toBe(403);
    // The right length through the same URL still works, and the upload completes whole.
    const ok = await putPresigned(url, bytes(SIZE));
    expect(ok.status).toBe(200);
    expect((await recordPart(attacker, up.videoId, 1, { etag: ok.etag!, size: SIZE })).status).toBe(204);
    expect((await complete(attacker, up.videoId)).status).toBe(202);
    expect((await storedSource(up.videoId))?.size).toBe(SIZE);
  });

  it("a reported part size off the plan is refused before storage is asked", async () => {
    const up = await created(attacker);
    const res = await recordPart(attacker, up.videoId, 1, { etag: '"x"', size: SIZE + 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("part_size_mismatch");
  });
});

describe("part numbers outside the plan", () => {
  it("more parts than declared: no URL, no record, and a re-numbered URL fails its signature", async () => {
    const up = await created(attacker);
    expect(up.partCount).toBe(1);
    const urls = await partUrls(attacker, up.videoId, [2]);
    expect(urls.status).toBe(400);
    expect(urls.body.error.code).toBe("invalid_part_number");
    const rec = await recordPart(attacker, up.videoId, 2, { etag: '"x"', size: SIZE });
    expect(rec.status).toBe(400);
    expect(rec.body.error.code).toBe("invalid_part_number");
    const renumbered = new URL(up.parts[0]!.url);
    renumbered.searchParams.set("partNumber", "2");
    expect((await putPresigned(renumbered.toString(), bytes(SIZE))).status).toBe(403);
  });

  it.each([0, 2, 10_001, -1])("part %i: 400 on /urls and on /parts/{n}", async (n) => {
    const up = await created(attacker);
    const urls = await partUrls(attacker, up.videoId, [n]);
    expect(urls.status).toBe(400);
    expect(["invalid_part_number", "validation_failed"]).toContain(urls.body.error.code);
    const rec = await recordPart(attacker, up.videoId, n, { etag: '"x"', size: SIZE });
    expect(rec.status).toBe(400);
    expect(rec.body.error.code).toBe("invalid_part_number");
    // Nothing was recorded: the upload still needs its one real part.
    const state = await callJson<{ parts: unknown[] }>(`/api/uploads/${up.videoId}`, {
      headers: attacker.auth,
    });
    expect(state.body.parts).toEqual([]);
  });
});

describe("somebody else's upload", () => {
  it("every upload route answers 404 to a non-owner, and the owner's upload completes untouched", async () => {
    const victim = await signUp();
    const up = await created(victim);
    const put = await putPresigned(up.parts[0]!.url, bytes(SIZE));
    expect((await recordPart(victim, up.videoId, 1, { etag: put.etag!, size: SIZE })).status).toBe(204);

    expect((await complete(attacker, up.videoId)).status).toBe(404);
    expect((await partUrls(attacker, up.videoId, [1])).status).toBe(404);
    expect((await recordPart(attacker, up.videoId, 1, { etag: '"evil"', size: SIZE })).status).toBe(404);
    expect((await callJson(`/api/uploads/${up.videoId}`, { headers: attacker.auth })).status).toBe(404);
    expect((await abort(attacker, up.videoId)).status).toBe(404);

    expect((await complete(victim, up.videoId)).status).toBe(202);
    expect((await storedSource(up.videoId))?.size).toBe(SIZE);
  });
});

describe("aborted and expired uploads", () => {
  it("an aborted upload cannot be reused: urls, parts, complete and abort answer 409", async () => {
    const up = await created(attacker);
    expect((await abort(attacker, up.videoId)).status).toBe(204);
    for (const res of [
      await partUrls(attacker, up.videoId, [1]),
      await recordPart(attacker, up.videoId, 1, { etag: '"x"', size: SIZE }),
      await complete(attacker, up.videoId),
    ]) {
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("upload_closed");
    }
    expect((await abort(attacker, up.videoId)).status).toBe(409);
    expect(await videoRow(up.videoId)).toMatchObject({ status: "failed", failure_code: "upload_aborted" });
    expect((await videoRow(up.videoId))!.source_deleted_at).toBeGreaterThan(0);
  });

  it("a PUT to a presigned URL after abort never becomes an object", async () => {
    const up = await created(attacker);
    expect((await abort(attacker, up.videoId)).status).toBe(204);
    // R2 and S3 answer 404 NoSuchUpload; the embedded S3 server keeps the stray part in
    // its upload folder (ADR 0002). Either way no object appears and the edge completes nothing.
    const late = await putPresigned(up.parts[0]!.url, bytes(SIZE));
    expect([200, 403, 404]).toContain(late.status);
    const rec = await recordPart(attacker, up.videoId, 1, { etag: late.etag ?? '"x"', size: SIZE });
    expect(rec.status).toBe(409);
    expect((await complete(attacker, up.videoId)).status).toBe(409);
    expect(await storedSource(up.videoId)).toBeNull();
  });

  it("a presigned URL past its TTL is refused by storage; a fresh one from /urls works", async () => {
    const s = services(env);
    const uploads = new UploadsService({
      repo: new VideosRepo(s.db),
      usage: new UploadsRepo(s.db),
      store: s.store,
      queue: queueOf(env.JOBS),
      room: roomNotifier(env, 60_000),
      preferences: new PreferencesRepo(s.db),
      config: { ...s.config, UPLOAD_URL_TTL_SECONDS: 1 },
    });
    const up = await uploads.create(
      { filename: "clip.mp4", size: SIZE, contentType: "video/mp4" },
      attacker.id,
    );
    expect(new URL(up.parts[0]!.url).searchParams.get("X-Amz-Expires")).toBe("1");
    await expect
      .poll(async () => (await putPresigned(up.parts[0]!.url, bytes(SIZE))).status, {
        timeout: 5000,
        interval: 250,
      })
      .toBe(403);
    const fresh = await uploads.urls(up.videoId, attacker.id, [1]);
    const put = await putPresigned(fresh.parts[0]!.url, bytes(SIZE));
    expect(put.status).toBe(200);
    await uploads.recordPart(up.videoId, attacker.id, 1, { etag: put.etag!, size: SIZE });
    expect((await uploads.complete(up.videoId, attacker.id)).status).toBe("queued");
  });

  it("an upload session past its expiry refuses urls, parts and complete with 409 upload_expired", async () => {
    const up = await created(attacker);
    await env.DB.prepare("update videos set upload_expires_at = ? where id = ?")
      .bind(Date.now() - 1000, up.videoId)
      .run();
    for (const res of [
      await partUrls(attacker, up.videoId, [1]),
      await recordPart(attacker, up.videoId, 1, { etag: '"x"', size: SIZE }),
      await complete(attacker, up.videoId),
    ]) {
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("upload_expired");
    }
  });

  it("after all of the above the attacker's honest upload still goes through", async () => {
    await honestUpload(attacker);
  });
});

describe("per-user limits (defaults: MAX_UNFINISHED_UPLOADS 5, USER_STORAGE_QUOTA_BYTES 50 GiB)", () => {
  const GiB = 1024 ** 3;

  it("a sixth unfinished upload is refused with 409 until one ends", async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await created(attacker)).videoId);
    const sixth = await createUpload(attacker);
    expect(sixth.status).toBe(409);
    expect(sixth.body.error.code).toBe("too_many_unfinished_uploads");
    expect(sixth.body.error.issues?.[0]).toMatchObject({ unfinished: 5, limit: 5 });
    expect((await abort(attacker, ids[0]!)).status).toBe(204);
    expect((await createUpload(attacker)).status).toBe(201);
  });

  it("uploads over the storage quota are refused with 413 naming used and limit bytes", async () => {
    await created(attacker, 20 * GiB);
    const second = (await created(attacker, 20 * GiB)).videoId;
    const over = await createUpload(attacker, 20 * GiB);
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe("quota_exceeded");
    expect(over.body.error.issues?.[0]).toMatchObject({
      requestedBytes: 20 * GiB,
      usedBytes: 40 * GiB,
      limitBytes: 50 * GiB,
    });
    expect(over.body.error.message).toContain(String(40 * GiB));
    // Up to the quota exactly is fine; an aborted upload stops counting (its source is gone).
    expect((await createUpload(attacker, 10 * GiB)).status).toBe(201);
    expect((await createUpload(attacker, 1)).status).toBe(413);
    expect((await abort(attacker, second)).status).toBe(204);
    expect((await createUpload(attacker, 20 * GiB)).status).toBe(201);
  });

  it("another user's usage is not yours", async () => {
    for (let i = 0; i < 5; i++) await created(attacker);
    const other = await signUp();
    expect((await createUpload(other)).status).toBe(201);
  });

  it("two creates racing for the last slot never both win", async () => {
    for (let i = 0; i < 4; i++) await created(attacker);
    const racing = await Promise.all([createUpload(attacker), createUpload(attacker)]);
    const statuses = racing.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(1);
    for (const r of racing)
      if (r.status !== 201) expect(r.body.error.code).toBe("too_many_unfinished_uploads");
    const unfinished = await env.DB.prepare(
      "select count(*) as n from videos where owner_id = ? and status = 'uploading'",
    )
      .bind(attacker.id)
      .first<{ n: number }>();
    expect(unfinished!.n).toBeLessThanOrEqual(5);
  });
});
