import { describe, expect, it } from "vitest";
import { ApiError, type PartUrlsResponse } from "../../lib/api.ts";
import {
  PartPutError,
  type PartStatus,
  type PartTransport,
  PartUploadError,
  partRange,
  type UploadProgress,
  type UploadTarget,
  uploadParts,
} from "./multipart-upload.ts";

const MB = 1024 * 1024;
const noSleep = async () => {};

/** A storage + API double that records what the uploader did. */
function harness(opts: { failPut?: (partNumber: number, attempt: number) => Error | null } = {}) {
  const puts: { partNumber: number; url: string; size: number }[] = [];
  const recorded = new Map<number, { etag: string; size: number }>();
  const urlRequests: number[][] = [];
  const attempts = new Map<number, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  let recordFailures = 0;

  const partOf = (url: string) => Number(new URL(url).searchParams.get("part"));
  const transport: PartTransport = {
    async put(url, body, onProgress, signal) {
      const partNumber = partOf(url);
      const attempt = (attempts.get(partNumber) ?? 0) + 1;
      attempts.set(partNumber, attempt);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 1));
        if (signal.aborted) throw signal.reason;
        const failure = opts.failPut?.(partNumber, attempt);
        if (failure) throw failure;
        onProgress(body.size / 2);
        onProgress(body.size);
        puts.push({ partNumber, url, size: body.size });
        return { etag: `"etag-${partNumber}"` };
      } finally {
        inFlight--;
      }
    },
  };
  const api = {
    async partUrls(_videoId: string, partNumbers: number[]): Promise<PartUrlsResponse> {
      urlRequests.push(partNumbers);
      return {
        parts: partNumbers.map((n) => ({
          partNumber: n,
          url: `http://s3.test/bucket/key?part=${n}&v=${urlRequests.length}`,
        })),
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      };
    },
    async recordPart(_videoId: string, partNumber: number, part: { etag: string; size: number }) {
      if (recordFailures > 0) {
        recordFailures--;
        throw new ApiError(503, "unavailable", "try later");
      }
      recorded.set(partNumber, part);
    },
  };
  return {
    transport,
    api,
    puts,
    recorded,
    urlRequests,
    attempts,
    get maxInFlight() {
      return maxInFlight;
    },
    failNextRecords(n: number) {
      recordFailures = n;
    },
  };
}

function target(size: number, partSize: number, extra: Partial<UploadTarget> = {}): UploadTarget {
  return {
    videoId: "v_0000000000000001",
    file: new Blob([new Uint8Array(size)]),
    partSize,
    partCount: Math.ceil(size / partSize),
    ...extra,
  };
}

describe("partRange", () => {
  it("gives equal parts and a shorter last one", () => {
    expect(partRange(1, 5 * MB, 12 * MB)).toEqual({ start: 0, end: 5 * MB });
    expect(partRange(3, 5 * MB, 12 * MB)).toEqual({ start: 10 * MB, end: 12 * MB });
  });
});

describe("uploadParts", () => {
  it("uploads every part with bounded parallelism and records each ETag and size", async () => {
    const h = harness();
    const progress: UploadProgress[] = [];
    await uploadParts(target(23 * MB, 2 * MB), {
      api: h.api,
      transport: h.transport,
      concurrency: 4,
      sleep: noSleep,
      onProgress: (p) => progress.push(p),
    });

    expect(h.recorded.size).toBe(12);
    expect(h.recorded.get(1)).toEqual({ etag: '"etag-1"', size: 2 * MB });
    expect(h.recorded.get(12)).toEqual({ etag: '"etag-12"', size: 1 * MB });
    expect(h.maxInFlight).toBeLessThanOrEqual(4);
    expect(h.maxInFlight).toBeGreaterThan(1);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ uploadedBytes: 23 * MB, totalBytes: 23 * MB, partsDone: 12, partCount: 12 });
    // Progress never goes backwards on a clean run.
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.uploadedBytes).toBeGreaterThanOrEqual(progress[i - 1]!.uploadedBytes);
    }
  });

  it("reports each part's own speed and time left", async () => {
    const h = harness();
    let clock = 0;
    const transport: PartTransport = {
      async put(_url, body, onProgress) {
        for (const fraction of [0.25, 0.5, 0.75]) {
          clock += 1000;
          onProgress(body.size * fraction);
        }
        return { etag: '"etag"' };
      },
    };
    const seen: PartStatus[] = [];
    await uploadParts(target(8 * MB, 8 * MB), {
      api: h.api,
      transport,
      now: () => clock,
      sleep: noSleep,
      onPart: (p) => seen.push({ ...p }),
    });
    const uploading = seen.filter((p) => p.state === "uploading" && p.loaded > 0);
    // 2 MB a second; 6 MB sent of 8 MB → 1 s left.
    expect(uploading.at(-1)).toMatchObject({ loaded: 6 * MB, bytesPerSecond: 2 * MB, etaSec: 1 });
    expect(seen.at(-1)).toMatchObject({ state: "done", etaSec: 0 });
  });

  it("uses URLs it was given and fetches the rest in batches", async () => {
    const h = harness();
    await uploadParts(
      target(10 * MB, MB, {
        urls: [1, 2, 3].map((n) => ({ partNumber: n, url: `http://s3.test/k?part=${n}&v=0` })),
        urlsExpireAt: new Date(Date.now() + 3_600_000).toISOString(),
      }),
      { api: h.api, transport: h.transport, concurrency: 2, sleep: noSleep },
    );
    expect(h.recorded.size).toBe(10);
    const fetched = h.urlRequests.flat().sort((a, b) => a - b);
    expect(fetched).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(h.urlRequests.length).toBeLessThan(fetched.length);
  });

  it("refreshes URLs that are about to expire", async () => {
    const h = harness();
    await uploadParts(
      target(2 * MB, MB, {
        urls: [1, 2].map((n) => ({ partNumber: n, url: `http://s3.test/k?part=${n}&v=0` })),
        urlsExpireAt: new Date(Date.now() + 5_000).toISOString(),
      }),
      { api: h.api, transport: h.transport, sleep: noSleep },
    );
    expect(h.urlRequests.flat().sort()).toEqual([1, 2]);
    expect(h.puts.every((p) => !p.url.endsWith("v=0"))).toBe(true);
  });

  it("resumes: only parts the edge has not recorded are sent", async () => {
    const h = harness();
    const progress: UploadProgress[] = [];
    await uploadParts(target(8 * MB, MB, { doneParts: [1, 2, 5] }), {
      api: h.api,
      transport: h.transport,
      sleep: noSleep,
      onProgress: (p) => progress.push(p),
    });
    expect(h.puts.map((p) => p.partNumber).sort((a, b) => a - b)).toEqual([3, 4, 6, 7, 8]);
    expect(progress[0]).toMatchObject({ uploadedBytes: 3 * MB, partsDone: 3 });
  });

  it("gets a fresh URL after a 403 (expired) and retries the part", async () => {
    const h = harness({
      failPut: (n, attempt) => (n === 2 && attempt === 1 ? new PartPutError(403, "expired") : null),
    });
    await uploadParts(target(3 * MB, MB), { api: h.api, transport: h.transport, sleep: noSleep });
    expect(h.recorded.size).toBe(3);
    expect(h.attempts.get(2)).toBe(2);
    const part2Urls = h.urlRequests.filter((batch) => batch.includes(2));
    expect(part2Urls.length).toBe(2);
  });

  it("retries network errors with backoff, then gives up after maxRetries and stops the other parts", async () => {
    const h = harness({ failPut: (n) => (n === 1 ? new PartPutError(0, "network error") : null) });
    const delays: number[] = [];
    const states: string[] = [];
    const run = uploadParts(target(40 * MB, MB), {
      api: h.api,
      transport: h.transport,
      concurrency: 2,
      maxRetries: 3,
      backoffMs: (retry) => 100 * 2 ** retry,
      sleep: async (ms) => {
        delays.push(ms);
      },
      onPart: (p) => {
        if (p.partNumber === 1) states.push(p.state);
      },
    });
    await expect(run).rejects.toBeInstanceOf(PartUploadError);
    await expect(run).rejects.toMatchObject({ partNumber: 1 });
    expect(h.attempts.get(1)).toBe(4);
    expect(delays).toEqual([100, 200, 400]);
    expect(states).toContain("retrying");
    expect(states.at(-1)).toBe("failed");
    expect(h.recorded.size).toBeLessThan(40);
  });

  it("does not retry what retrying cannot fix", async () => {
    const h = harness({ failPut: (n) => (n === 1 ? new PartPutError(400, "bad request") : null) });
    await expect(
      uploadParts(target(2 * MB, MB), { api: h.api, transport: h.transport, concurrency: 1, sleep: noSleep }),
    ).rejects.toBeInstanceOf(PartUploadError);
    expect(h.attempts.get(1)).toBe(1);
  });

  it("retries a failed record call without sending the part again", async () => {
    const h = harness();
    h.failNextRecords(1);
    await uploadParts(target(MB, MB), { api: h.api, transport: h.transport, sleep: noSleep });
    expect(h.attempts.get(1)).toBe(1);
    expect(h.recorded.get(1)).toEqual({ etag: '"etag-1"', size: MB });
  });

  it("stops when aborted", async () => {
    const h = harness();
    const controller = new AbortController();
    const run = uploadParts(target(50 * MB, MB), {
      api: h.api,
      transport: h.transport,
      signal: controller.signal,
      sleep: noSleep,
      onPart: (p) => {
        if (p.state === "done" && p.partNumber === 2)
          controller.abort(new DOMException("cancelled", "AbortError"));
      },
    });
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
    expect(h.recorded.size).toBeLessThan(50);
  });
});
