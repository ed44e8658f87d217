import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { insertVideo, repo } from "../../../test/fixtures.ts";
import { newVideoId } from "../../lib/ids.ts";
import { services } from "../../lib/services.ts";
import { S3Store } from "../../lib/storage/s3-store.ts";
import { QUEUED_TOO_LONG_MS, SILENT_LEASES, sweep } from "./sweeper.ts";

const SILENCE_MS = SILENT_LEASES * 60_000;

/**
 * The sweep deletes every object it has no D1 row for, and each test file has its own D1:
 * give it a bucket no other test file writes to.
 */
function isolated() {
  const shared = services(env);
  const store = new S3Store({
    endpoint: shared.config.S3_ENDPOINT,
    bucket: "sweeper-test",
    region: shared.config.S3_REGION,
    accessKeyId: shared.config.S3_ACCESS_KEY_ID,
    secretAccessKey: shared.config.S3_SECRET_ACCESS_KEY,
  });
  return { ...shared, store, media: store };
}

describe("cron sweeper", () => {
  it("fails uploads past their expiry and aborts their multipart upload", async () => {
    const s = isolated();
    const id = newVideoId();
    const uploadId = await s.store.createMultipart(`uploads/${id}/source`, "video/mp4");
    await insertVideo({
      id,
      status: "uploading",
      uploadId,
      uploadExpiresAt: Date.now() - 1000,
      attempt: 0,
      attemptId: null,
    });
    const fresh = await insertVideo({
      status: "uploading",
      uploadExpiresAt: Date.now() + 3600_000,
      attempt: 0,
      attemptId: null,
    });
    const report = await sweep(s);
    expect(report.expiredUploads).toBeGreaterThanOrEqual(1);
    expect((await repo().find(id))!).toMatchObject({
      status: "failed",
      failureReason: "upload expired before it was completed",
    });
    expect((await repo().find(fresh.id))!.status).toBe("uploading");
  });

  it("restarts silent processing and long-queued jobs; gives up when attempts are spent", async () => {
    const now = Date.now();
    const silent = await insertVideo({
      status: "processing",
      heartbeatAt: now - SILENCE_MS - 1000,
    });
    const lost = await insertVideo({
      status: "queued",
      updatedAt: now - QUEUED_TOO_LONG_MS - 1000,
      heartbeatAt: null,
    });
    const spent = await insertVideo({
      status: "processing",
      attempt: 3,
      heartbeatAt: now - SILENCE_MS - 1000,
    });
    const alive = await insertVideo({ status: "processing", heartbeatAt: now - 1000 });
    const report = await sweep(isolated(), now);
    expect(report.restarted).toBeGreaterThanOrEqual(2);
    expect((await repo().find(silent.id))!).toMatchObject({ status: "queued", attempt: 2 });
    expect((await repo().find(lost.id))!).toMatchObject({ status: "queued", attempt: 2 });
    expect((await repo().find(spent.id))!).toMatchObject({
      status: "failed",
      failureReason: "transcoding timed out",
    });
    expect((await repo().find(alive.id))!).toMatchObject({ status: "processing", attempt: 1 });
  });

  it("deletes objects whose video no longer exists and keeps the rest", async () => {
    const s = isolated();
    const kept = await insertVideo({ status: "ready" });
    const orphan = newVideoId();
    await s.store.put(`videos/${kept.id}/master.m3u8`, "#EXTM3U\n");
    await s.store.put(`videos/${orphan}/master.m3u8`, "#EXTM3U\n");
    await s.store.put(`videos/${orphan}/360p/seg_00001.m4s`, "x");
    await s.store.put(`uploads/${orphan}/source`, "x");
    await sweep(s);
    expect(await s.store.head(`videos/${kept.id}/master.m3u8`)).not.toBeNull();
    expect(await s.store.head(`videos/${orphan}/master.m3u8`)).toBeNull();
    expect(await s.store.head(`videos/${orphan}/360p/seg_00001.m4s`)).toBeNull();
    expect(await s.store.head(`uploads/${orphan}/source`)).toBeNull();
  });
});
