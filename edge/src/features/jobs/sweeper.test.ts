import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signUp } from "../../../test/auth.ts";
import { insertVideo, repo } from "../../../test/fixtures.ts";
import { callJson, waitFor } from "../../../test/http.ts";
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
    const expired = (await repo().find(id))!;
    expect(expired).toMatchObject({
      status: "failed",
      failureReason: "upload expired before it was completed",
      failureCode: "upload_expired",
    });
    // Its source went with the multipart upload: it no longer counts against the quota.
    expect(expired.sourceDeletedAt).toBeGreaterThan(0);
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
    const owner = await signUp();
    const spent = await insertVideo({
      status: "processing",
      attempt: 3,
      heartbeatAt: now - SILENCE_MS - 1000,
      ownerId: owner.id,
    });
    const alive = await insertVideo({ status: "processing", heartbeatAt: now - 1000 });
    const report = await sweep(isolated(), now);
    expect(report.restarted).toBeGreaterThanOrEqual(2);
    expect((await repo().find(silent.id))!).toMatchObject({ status: "queued", attempt: 2 });
    expect((await repo().find(lost.id))!).toMatchObject({ status: "queued", attempt: 2 });
    expect((await repo().find(spent.id))!).toMatchObject({
      status: "failed",
      failureReason: "transcoding timed out",
      failureCode: "timed_out",
    });
    expect((await repo().find(alive.id))!).toMatchObject({ status: "processing", attempt: 1 });
    // The owner of the video that ran out of attempts hears of it.
    const note = await waitFor(async () => {
      const page = await callJson<{ notifications: { type: string; video?: { id: string } }[] }>(
        "/api/notifications",
        { headers: owner.auth },
      );
      return page.body.notifications.find((n) => n.type === "video_failed");
    });
    expect(note.video?.id).toBe(spent.id);
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

  it("deletes the sources of videos failed longer than FAILED_SOURCE_RETENTION_HOURS, once", async () => {
    const s = isolated();
    const now = Date.now();
    const retention = s.config.FAILED_SOURCE_RETENTION_HOURS * 3600_000;
    const old = await insertVideo({ status: "failed", updatedAt: now - retention - 60_000 });
    const recent = await insertVideo({ status: "failed", updatedAt: now - retention + 3600_000 });
    const ready = await insertVideo({ status: "ready", updatedAt: now - retention - 60_000 });
    const gone = await insertVideo({ status: "failed", updatedAt: now - retention - 60_000 });
    for (const v of [old, recent, ready]) await s.store.put(`uploads/${v.id}/source`, "source bytes");

    const first = await sweep(s, now);
    expect(first.failedSources).toBeGreaterThanOrEqual(2);
    expect(await s.store.head(`uploads/${old.id}/source`)).toBeNull();
    expect((await repo().find(old.id))!.sourceDeletedAt).toBe(now);
    // Already missing from storage: still marked, so it is never tried again.
    expect((await repo().find(gone.id))!.sourceDeletedAt).toBe(now);
    expect(await s.store.head(`uploads/${recent.id}/source`)).not.toBeNull();
    expect((await repo().find(recent.id))!.sourceDeletedAt).toBeNull();
    expect(await s.store.head(`uploads/${ready.id}/source`)).not.toBeNull();
    expect((await repo().find(ready.id))!.sourceDeletedAt).toBeNull();

    // Idempotent: a later run finds nothing more to do for them and keeps the first timestamp.
    const second = await sweep(s, now + 60_000);
    expect(second.failedSources).toBe(0);
    expect((await repo().find(old.id))!.sourceDeletedAt).toBe(now);
    expect((await repo().find(old.id))!.status).toBe("failed");
  });
});
