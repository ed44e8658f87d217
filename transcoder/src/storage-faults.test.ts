/**
 * Issue 17, storage faults on the transcoder's side: the S3 client against the embedded S3
 * behind the fault-injecting proxy (scripts/lib/fault-proxy.ts). A rendition upload that
 * meets 503s, a reset or a storage that never answers is retried with backoff and lands;
 * one that keeps failing ends in a StorageError after a bounded number of attempts, which
 * the job reports as a retryable failure (another attempt, maybe on another node).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../../scripts/lib/fault-proxy.ts";
import { classifyFailure } from "./pipeline/failure.ts";
import { S3Storage, StorageError } from "./storage.ts";
import { S3RVER_CREDENTIALS, startTestS3, type TestS3 } from "./testing/s3.ts";

const TIMEOUT_MS = 400;
let dir: string;
let s3: TestS3;
let proxy: FaultProxy;
let storage: S3Storage;
/** The same client with a short answer bound, for the tests of a storage that never answers. */
let impatient: S3Storage;
let direct: S3Storage;
let segment: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "streamline-storage-faults-"));
  s3 = await startTestS3();
  proxy = await startFaultProxy({ target: s3.endpoint });
  const opts = { bucket: s3.bucket, region: "us-east-1", ...S3RVER_CREDENTIALS };
  storage = new S3Storage({ ...opts, endpoint: proxy.url, requestTimeoutMs: 10_000 });
  impatient = new S3Storage({ ...opts, endpoint: proxy.url, requestTimeoutMs: TIMEOUT_MS });
  direct = s3.storage;
  segment = join(dir, "seg_00001.m4s");
  writeFileSync(segment, new Uint8Array(64 * 1024).fill(7));
});
afterAll(async () => {
  await proxy.close();
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => proxy.reset());

async function stored(key: string) {
  const out = join(dir, `check-${Date.now()}`);
  return direct.download(key, out);
}

const puts = (key: string) => proxy.requests(new RegExp(key)).filter((r) => r.method === "PUT");

describe("rendition uploads against a faulty storage", () => {
  it("503 twice → retried with doubling pauses, then stored", async () => {
    const key = "videos/f1/720p/seg_00001.m4s";
    proxy.addRules([{ method: "PUT", path: key, fault: "status", status: 503, times: 2 }]);
    await storage.upload(key, segment);
    expect(await stored(key)).toBe(64 * 1024);
    const log = puts(key);
    expect(log.map((r) => r.fault ?? "ok")).toEqual(["status", "status", "ok"]);
    // 200 ms, then 400 ms (RETRY_BACKOFF), measured at the storage.
    expect(log[1]!.at - log[0]!.at).toBeGreaterThanOrEqual(190);
    expect(log[2]!.at - log[1]!.at).toBeGreaterThanOrEqual(390);
  });

  it("a connection reset and a storage that never answers are retried too", async () => {
    const reset = "videos/f2/720p/seg_00001.m4s";
    proxy.addRules([{ method: "PUT", path: reset, fault: "reset", times: 1 }]);
    await storage.upload(reset, segment);
    expect(await stored(reset)).toBe(64 * 1024);

    const hung = "videos/f3/720p/seg_00001.m4s";
    proxy.addRules([{ method: "PUT", path: hung, fault: "hang", times: 1 }]);
    const t0 = performance.now();
    await impatient.upload(hung, segment);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(await stored(hung)).toBe(64 * 1024);
    const faults = puts(hung).map((r) => r.fault ?? "ok");
    expect(faults[0]).toBe("hang");
    expect(faults.at(-1)).toBe("ok");
  });

  it("storage that keeps failing → a StorageError after 4 attempts, reported as a retryable failure", async () => {
    const key = "videos/f4/720p/seg_00001.m4s";
    proxy.addRules([{ method: "PUT", path: key, fault: "status", status: 500 }]);
    const err = await storage.upload(key, segment).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(String(err)).toMatch(/failed after 4 attempts: HTTP 500/);
    expect(puts(key)).toHaveLength(4);
    const failure = classifyFailure(err, undefined);
    expect(failure.retryable).toBe(true);
    // The owner's detail names neither host nor port of the storage.
    expect(failure.message).not.toContain("127.0.0.1");
  });

  it("a hung storage is bounded: 4 attempts of requestTimeoutMs, then a StorageError", async () => {
    const key = "videos/f5/720p/seg_00001.m4s";
    proxy.addRules([{ method: "PUT", path: key, fault: "hang" }]);
    const t0 = performance.now();
    const err = await impatient.upload(key, segment).catch((e: unknown) => e);
    const took = performance.now() - t0;
    expect(err).toBeInstanceOf(StorageError);
    expect(String(err)).toMatch(/no answer within 400 ms/);
    // 4 × 400 ms + pauses of 200 + 400 + 800 ms, with slack for a busy machine.
    expect(took).toBeGreaterThanOrEqual(4 * TIMEOUT_MS + 1400 - 50);
    expect(took).toBeLessThan(4 * TIMEOUT_MS + 1400 + 5000);
  });

  it("a 4xx is not retried (a signature or permission problem will not fix itself in 200 ms)", async () => {
    const key = "videos/f6/720p/seg_00001.m4s";
    proxy.addRules([{ method: "PUT", path: key, fault: "status", status: 403, times: 1 }]);
    const err = await storage.upload(key, segment).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).status).toBe(403);
    expect(puts(key)).toHaveLength(1);
  });
});
