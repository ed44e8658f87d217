/**
 * Issue 17, storage faults on a part PUT: the upload engine (multipart-upload.ts) sends real
 * parts through real presigned URLs to the embedded S3 behind the fault-injecting proxy
 * (scripts/lib/fault-proxy.ts). 503s, a reset and a slow answer are retried with backoff and
 * the assembled object is byte-for-byte the file; a part whose storage keeps failing gives
 * up after its retries and stops the others, and nothing is completed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsClient } from "aws4fetch";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../../../../scripts/lib/fault-proxy.ts";
import { type RunningS3, S3_CREDENTIALS, startS3Server } from "../../../../scripts/lib/s3-server.ts";
import type { PartUrlsResponse } from "../../lib/api.ts";
import { PartPutError, type PartTransport, PartUploadError, uploadParts } from "./multipart-upload.ts";

const PART = 5 * 1024 * 1024; // S3's smallest part size but the last
const s3Client = new AwsClient({ ...S3_CREDENTIALS, region: "us-east-1", service: "s3" });
let dir: string;
let s3: RunningS3;
let proxy: FaultProxy;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "streamline-part-faults-"));
  s3 = await startS3Server({ directory: join(dir, "s3"), port: 0 });
  proxy = await startFaultProxy({ target: s3.endpoint });
});
afterAll(async () => {
  await proxy.close();
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => proxy.reset());

/** What the browser's XHR transport does, with fetch: status 0 when there is no HTTP answer. */
const fetchTransport: PartTransport = {
  async put(url, body, onProgress, signal) {
    let res: Response;
    try {
      res = await fetch(url, { method: "PUT", body, signal });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new PartPutError(0, err instanceof Error ? err.message : "network error");
    }
    await res.arrayBuffer();
    if (!res.ok) throw new PartPutError(res.status, `storage answered HTTP ${res.status}`);
    onProgress(body.size);
    return { etag: res.headers.get("etag") ?? "" };
  },
};

/** A multipart upload on the real S3, with the edge's part of the work played here. */
async function startUpload(key: string) {
  const created = await s3Client.fetch(`${s3.endpoint}/streamline/${key}?uploads`, { method: "POST" });
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())![1]!;
  const recorded = new Map<number, { etag: string; size: number }>();
  const api = {
    async partUrls(_videoId: string, partNumbers: number[]): Promise<PartUrlsResponse> {
      const parts = await Promise.all(
        partNumbers.map(async (partNumber) => {
          // Presigned for the proxy's address: every part PUT goes through the faults.
          const url = new URL(`${proxy.url}/streamline/${key}`);
          url.searchParams.set("partNumber", String(partNumber));
          url.searchParams.set("uploadId", uploadId);
          url.searchParams.set("X-Amz-Expires", "600");
          const signed = await s3Client.sign(url.toString(), { method: "PUT", aws: { signQuery: true } });
          return { partNumber, url: signed.url };
        }),
      );
      return { parts, expiresAt: new Date(Date.now() + 600_000).toISOString() };
    },
    async recordPart(_videoId: string, partNumber: number, part: { etag: string; size: number }) {
      recorded.set(partNumber, part);
    },
  };
  const complete = async () => {
    const xml = [...recorded.entries()]
      .sort(([a], [b]) => a - b)
      .map(([n, p]) => `<Part><PartNumber>${n}</PartNumber><ETag>${p.etag}</ETag></Part>`)
      .join("");
    const res = await s3Client.fetch(`${s3.endpoint}/streamline/${key}?uploadId=${uploadId}`, {
      method: "POST",
      body: `<CompleteMultipartUpload>${xml}</CompleteMultipartUpload>`,
    });
    expect(res.status).toBe(200);
    const object = await s3Client.fetch(`${s3.endpoint}/streamline/${key}`);
    return new Uint8Array(await object.arrayBuffer());
  };
  return { api, recorded, complete };
}

function file(parts: number) {
  const bytes = new Uint8Array(PART * parts - 1000);
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i / 4096) % 256;
  return bytes;
}

const partPuts = (key: string, part: number) =>
  proxy.requests(new RegExp(`${key}\\?.*partNumber=${part}&`)).filter((r) => r.method === "PUT");

describe("part PUTs against a faulty storage", { timeout: 60_000 }, () => {
  it("503s, a reset and a slow answer are retried with backoff; the object is the file", async () => {
    const key = "uploads/v_fault000000000001/source";
    const { api, recorded, complete } = await startUpload(key);
    proxy.addRules([
      { method: "PUT", path: "partNumber=1&", fault: "status", status: 503, times: 2 },
      { method: "PUT", path: "partNumber=2&", fault: "reset", times: 1 },
      { method: "PUT", path: "partNumber=3&", fault: "delay", delayMs: 500, times: 1 },
    ]);
    const bytes = file(3);
    const delays: number[] = [];
    await uploadParts(
      { videoId: "v_fault000000000001", file: new Blob([bytes]), partSize: PART, partCount: 3 },
      {
        api,
        transport: fetchTransport,
        concurrency: 3,
        backoffMs: (retry) => 50 * 2 ** retry,
        sleep: async (ms) => {
          delays.push(ms);
          await new Promise((r) => setTimeout(r, ms));
        },
      },
    );
    expect([...recorded.keys()].sort()).toEqual([1, 2, 3]);
    expect(partPuts(key, 1).map((r) => r.fault ?? "ok")).toEqual(["status", "status", "ok"]);
    expect(partPuts(key, 2).map((r) => r.fault ?? "ok")).toEqual(["reset", "ok"]);
    expect(partPuts(key, 3).map((r) => r.fault ?? "ok")).toEqual(["delay"]);
    expect(delays.sort((a, b) => a - b)).toEqual([50, 50, 100]);
    const stored = await complete();
    expect(stored.length).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(stored), Buffer.from(bytes))).toBe(0);
  });

  it("a part whose storage keeps failing gives up after its retries and stops the others", async () => {
    const key = "uploads/v_fault000000000002/source";
    const { api, recorded } = await startUpload(key);
    proxy.addRules([{ method: "PUT", path: "partNumber=1&", fault: "status", status: 500 }]);
    const run = uploadParts(
      { videoId: "v_fault000000000002", file: new Blob([file(4)]), partSize: PART, partCount: 4 },
      { api, transport: fetchTransport, concurrency: 1, maxRetries: 2, backoffMs: () => 10 },
    );
    await expect(run).rejects.toBeInstanceOf(PartUploadError);
    await expect(run).rejects.toMatchObject({ partNumber: 1 });
    expect(partPuts(key, 1)).toHaveLength(3);
    // One part at a time: part 1 failing for good means no other part was sent.
    expect(recorded.size).toBe(0);
  });
});
