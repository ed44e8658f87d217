import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestUser } from "../../../test/auth.ts";
import { jobFor } from "../../../test/fixtures.ts";
import { call, callJson, waitFor } from "../../../test/http.ts";
import { newVideoId } from "../../lib/ids.ts";
import { services } from "../../lib/services.ts";
import { partMismatchReason, partsOffPlan } from "./upload-verification.ts";
import { MIN_PART_SIZE, planParts } from "./uploads.service.ts";

const MiB = 1024 * 1024;

type Created = {
  videoId: string;
  partSize: number;
  partCount: number;
  parts: { partNumber: number; url: string }[];
  expiresAt: string;
};

/** The signed-in uploader of each describe block; every upload route is theirs alone. */
let owner: TestUser;

async function createUpload(size: number, extra: Record<string, unknown> = {}) {
  return callJson<Created>("/api/uploads", {
    method: "POST",
    json: { filename: "clip.mp4", size, contentType: "video/mp4", ...extra },
    headers: owner.auth,
  });
}

async function putPart(url: string, bytes: Uint8Array) {
  const res = await fetch(url, { method: "PUT", body: bytes });
  expect(res.status).toBe(200);
  const etag = res.headers.get("etag");
  expect(etag).toBeTruthy();
  return etag!;
}

async function jobsFor(videoId: string) {
  const res = await fetch(`${env.FLEET_URL}/__jobs?videoId=${videoId}`);
  return ((await res.json()) as { jobs: { videoId: string; attempt: number; type: string }[] }).jobs;
}

/** Sends a marker job after everything enqueued so far and waits until the fleet has it. */
async function throughTheQueue() {
  const marker = newVideoId();
  await env.JOBS.send(jobFor({ id: marker, attempt: 1, attemptId: "a_marker" }), { contentType: "json" });
  await waitFor(async () => (await jobsFor(marker)).length > 0);
}

describe("planParts", () => {
  it("uses 8 MiB parts for ordinary files and stays under 10,000 parts for huge ones", () => {
    expect(planParts(1)).toEqual({ partSize: MIN_PART_SIZE, partCount: 1 });
    expect(planParts(9 * MiB)).toEqual({ partSize: 8 * MiB, partCount: 2 });
    const huge = planParts(20 * 1024 ** 3);
    expect(huge.partCount).toBeLessThanOrEqual(10_000);
    expect(huge.partSize % MiB).toBe(0);
    expect(huge.partSize * huge.partCount).toBeGreaterThanOrEqual(20 * 1024 ** 3);
  });
});

describe("stored parts against the plan (ListParts)", () => {
  const plan = { size: 9 * MiB, partSize: 8 * MiB, partCount: 2 };
  const part = (partNumber: number, size: number) => ({ partNumber, size, etag: '"e"' });

  it("accepts exactly the planned sizes and ignores parts beyond the plan", () => {
    expect(partsOffPlan(plan, [part(1, 8 * MiB), part(2, MiB)])).toEqual([]);
    expect(partsOffPlan(plan, [part(2, MiB), part(1, 8 * MiB), part(3, 5 * 1024 ** 3)])).toEqual([]);
  });

  it("names each planned part that is missing or of another size", () => {
    const off = partsOffPlan(plan, [part(1, 8 * MiB + 1)]);
    expect(off).toEqual([
      { partNumber: 1, expected: 8 * MiB, stored: 8 * MiB + 1 },
      { partNumber: 2, expected: MiB, stored: null },
    ]);
    expect(partMismatchReason(off)).toBe(
      `upload size mismatch: part 1 declared ${8 * MiB} bytes, stored ${8 * MiB + 1} bytes (and 1 more parts)`,
    );
  });

  it("the embedded S3 server has no ListParts: listParts says so (null) and completion relies on HEAD", async () => {
    const { store } = services(env);
    const key = `uploads/${newVideoId()}/source`;
    const uploadId = await store.createMultipart(key, "video/mp4");
    expect(await store.listParts(key, uploadId)).toBeNull();
  });
});

describe("upload session", () => {
  beforeAll(async () => {
    owner = await signUp();
  });

  it("creates a video in `uploading` with presigned URLs for every part", async () => {
    const { status, body } = await createUpload(9 * MiB, { title: "My clip" });
    expect(status).toBe(201);
    expect(body.videoId).toMatch(/^v_[A-Za-z0-9]{16}$/);
    expect(body.partSize).toBe(8 * MiB);
    expect(body.partCount).toBe(2);
    expect(body.parts.map((p) => p.partNumber)).toEqual([1, 2]);
    const url = new URL(body.parts[0]!.url);
    expect(url.searchParams.get("uploadId")).toBeTruthy();
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(url.searchParams.get("X-Amz-Expires"))).toBe(3600);
    const video = await callJson(`/api/videos/${body.videoId}`, { headers: owner.auth });
    expect(video.body).toMatchObject({
      id: body.videoId,
      title: "My clip",
      status: "uploading",
      playable: false,
    });
  });

  it("records parts, lists them for resume, completes once and enqueues exactly one job", async () => {
    const { body: up } = await createUpload(9 * MiB);
    const part1 = new Uint8Array(8 * MiB).fill(1);
    const part2 = new Uint8Array(1 * MiB).fill(2);

    const etag1 = await putPart(up.parts[0]!.url, part1);
    expect(
      (
        await call(`/api/uploads/${up.videoId}/parts/1`, {
          method: "PUT",
          json: { etag: etag1, size: part1.length },
          headers: owner.auth,
        })
      ).status,
    ).toBe(204);

    // Completing before every part is in names the missing ones.
    const early = await callJson<{ error: { code: string; issues: { missing: number[] }[] } }>(
      `/api/uploads/${up.videoId}/complete`,
      { method: "POST", headers: owner.auth },
    );
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("parts_missing");
    expect(early.body.error.issues[0]!.missing).toEqual([2]);

    const state = await callJson<{ parts: { partNumber: number }[]; uploadedBytes: number }>(
      `/api/uploads/${up.videoId}`,
      { headers: owner.auth },
    );
    expect(state.body.parts.map((p) => p.partNumber)).toEqual([1]);
    expect(state.body.uploadedBytes).toBe(8 * MiB);

    // Resume: fresh URLs for the remaining part.
    const fresh = await callJson<{ parts: { partNumber: number; url: string }[] }>(
      `/api/uploads/${up.videoId}/urls`,
      {
        method: "POST",
        json: { partNumbers: [2] },
        headers: owner.auth,
      },
    );
    expect(fresh.status).toBe(200);
    const etag2 = await putPart(fresh.body.parts[0]!.url, part2);
    expect(
      (
        await call(`/api/uploads/${up.videoId}/parts/2`, {
          method: "PUT",
          json: { etag: etag2, size: part2.length },
          headers: owner.auth,
        })
      ).status,
    ).toBe(204);

    const done = await callJson<{ status: string }>(`/api/uploads/${up.videoId}/complete`, {
      method: "POST",
      headers: owner.auth,
    });
    expect(done.status).toBe(202);
    expect(done.body.status).toBe("queued");
    const again = await callJson<{ status: string }>(`/api/uploads/${up.videoId}/complete`, {
      method: "POST",
      headers: owner.auth,
    });
    expect(again.status).toBe(202);

    // The assembled object is in storage, whole.
    const head = await env.DB.prepare("select status, attempt, job_id from videos where id = ?")
      .bind(up.videoId)
      .first();
    expect(head).toMatchObject({ status: "queued", attempt: 1 });

    const jobs = await waitFor(async () => {
      const j = await jobsFor(up.videoId);
      return j.length > 0 && j;
    });
    // Proof that anything the second `complete` enqueued has been delivered: a marker job
    // sent after it through the same queue has reached the fleet.
    await throughTheQueue();
    expect(await jobsFor(up.videoId)).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      v: 1,
      type: "transcode",
      videoId: up.videoId,
      attempt: 1,
      source: { key: `uploads/${up.videoId}/source`, size: 9 * MiB },
    });
  });

  it("rejects a part whose size does not match the plan", async () => {
    const { body: up } = await createUpload(9 * MiB);
    const res = await callJson<{ error: { code: string } }>(`/api/uploads/${up.videoId}/parts/2`, {
      method: "PUT",
      json: { etag: '"abc"', size: 5 },
      headers: owner.auth,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("part_size_mismatch");
  });

  it("abort closes the session; further parts and completion are refused", async () => {
    const { body: up } = await createUpload(1 * MiB);
    expect((await call(`/api/uploads/${up.videoId}`, { method: "DELETE", headers: owner.auth })).status).toBe(
      204,
    );
    const video = await callJson<{ status: string; failureReason: string }>(`/api/videos/${up.videoId}`, {
      headers: owner.auth,
    });
    expect(video.body).toMatchObject({
      status: "failed",
      failureReason: "The upload was cancelled.",
      failure: { code: "upload_aborted", detail: "upload aborted" },
    });
    const part = await call(`/api/uploads/${up.videoId}/parts/1`, {
      method: "PUT",
      json: { etag: '"x"', size: 1 * MiB },
      headers: owner.auth,
    });
    expect(part.status).toBe(409);
    expect(
      (await call(`/api/uploads/${up.videoId}/complete`, { method: "POST", headers: owner.auth })).status,
    ).toBe(409);
  });
});

describe("bad input", () => {
  beforeAll(async () => {
    owner = await signUp();
  });

  it.each([
    [
      "malformed JSON",
      { body: "{nope", headers: { "content-type": "application/json" } },
      400,
      "invalid_json",
    ],
    [
      "wrong types",
      { json: { filename: 3, size: "big", contentType: "video/mp4" } },
      400,
      "validation_failed",
    ],
    [
      "over the size limit",
      { json: { filename: "a.mp4", size: 21474836481, contentType: "video/mp4" } },
      413,
      "upload_too_large",
    ],
    [
      "not a video type",
      { json: { filename: "a.pdf", size: 100, contentType: "application/pdf" } },
      415,
      "unsupported_media_type",
    ],
  ])("%s → %i", async (_name, init, status, code) => {
    const res = await callJson<{ error: { code: string; message: string; issues?: unknown[] } }>(
      "/api/uploads",
      {
        method: "POST",
        ...init,
        headers: { ...("headers" in init ? init.headers : {}), ...owner.auth },
      },
    );
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toBeTruthy();
    if (code === "validation_failed") expect(res.body.error.issues?.length).toBeGreaterThanOrEqual(2);
  });

  // Hole 14 (issue 11): these strings reach S3 headers and storage metadata; a CR/LF used
  // to make a header constructor throw (a 500).
  it.each([
    ["CR/LF inside contentType", { contentType: "video/mp4\r\nx-injected: 1" }, "contentType"],
    ["NUL inside contentType", { contentType: "video/\u0000mp4" }, "contentType"],
    ["DEL inside contentType", { contentType: "video/mp4\u007f" }, "contentType"],
    ["LF inside filename", { filename: "clip\n.mp4" }, "filename"],
    ["tab inside filename", { filename: "clip\t.mp4" }, "filename"],
  ])("%s → 400 validation_failed", async (_name, extra, path) => {
    const res = await callJson<{ error: { code: string; message: string; issues?: { path: string }[] } }>(
      "/api/uploads",
      {
        method: "POST",
        json: { filename: "clip.mp4", size: 1000, contentType: "video/mp4", ...extra },
        headers: owner.auth,
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.issues?.map((i) => i.path)).toContain(path);
  });

  it("still trims surrounding whitespace (incl. a trailing CR/LF) from contentType", async () => {
    const res = await createUpload(1000, { contentType: " video/mp4\r\n" });
    expect(res.status).toBe(201);
  });

  it("unknown video ids are 404 everywhere", async () => {
    for (const [method, path] of [
      ["GET", "/api/videos/v_0000000000000000"],
      ["GET", "/api/uploads/v_0000000000000000"],
      ["POST", "/api/uploads/v_0000000000000000/complete"],
      ["GET", "/api/videos/not-an-id"],
    ] as const) {
      const res = await callJson<{ error: { code: string } }>(path, { method, headers: owner.auth });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
  });
});
