/**
 * The cron sweeper (every 5 minutes): nothing stays stuck.
 *  - `uploading` past its expiry → multipart aborted, source removed, video `failed`;
 *  - `failed` for longer than FAILED_SOURCE_RETENTION_HOURS → source removed, `source_deleted_at` set;
 *  - `processing` with no sign of life for 3 leases, or `queued` for an hour (a message
 *    lost between queue and fleet) → next attempt, or `failed` when attempts are spent;
 *  - objects under `videos/` or `uploads/` whose video no longer exists → deleted;
 *  - expired refresh tokens and long-dead sessions → purged;
 *  - sign-in delay / signup window rows (auth_throttle) quiet for an hour → deleted;
 *  - private videos whose `publishAt` has come → public (videos/scheduled-publish.ts).
 * Trigger locally: `curl http://127.0.0.1:8787/__scheduled` (the dev
 * stack runs wrangler with `--test-scheduled`).
 */
import { failureMessage, sourceKey } from "@streamline/contracts";
import { inArray } from "drizzle-orm";
import { type VideoRow, videos } from "../../db/schema.ts";
import { errorMessage, log } from "../../lib/log.ts";
import type { Services } from "../../lib/services.ts";
import { deletePrefixes, type ObjectStore } from "../../lib/storage/object-store.ts";
import { SessionsRepo } from "../auth/sessions.repo.ts";
import { ThrottleRepo } from "../auth/throttle.repo.ts";
import { type NotifyQueue, notifyQueue, notifyUser } from "../notifications/notifier.ts";
import { type Room, roomNotifier } from "../progress/room-notifier.ts";
import { publishScheduled } from "../videos/scheduled-publish.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { type WebhookEmitter, webhooks, webhookVideo } from "../webhooks/emit.ts";
import { JobsService, queueOf } from "./jobs.service.ts";
import { SourceRetentionRepo } from "./source-retention.repo.ts";

/** Silence (in leases) after which the sweeper gives up on a processing attempt the DO missed. */
export const SILENT_LEASES = 3;
export const QUEUED_TOO_LONG_MS = 60 * 60_000;

export interface SweepReport {
  expiredUploads: number;
  restarted: number;
  timedOut: number;
  orphanPrefixes: number;
  /** Sources of long-failed videos deleted this run. */
  failedSources: number;
  /** Private videos whose `publishAt` came, made public this run. */
  published: number;
}

export async function sweep(services: Services, now = Date.now()): Promise<SweepReport> {
  const repo = new VideosRepo(services.db);
  const room = roomNotifier(services.env, services.config.JOB_LEASE_SECONDS * 1000);
  const report: SweepReport = {
    // First: a schedule is a promise to the owner's audience, the rest is housekeeping.
    published: (await publishScheduled(services, now)).length,
    expiredUploads: await failExpiredUploads(services, repo, room, now),
    restarted: 0,
    timedOut: 0,
    orphanPrefixes: 0,
    failedSources: 0,
  };

  const stuck = [
    ...(await repo.silentSince("processing", now - SILENT_LEASES * services.config.JOB_LEASE_SECONDS * 1000)),
    ...(await repo.silentSince("queued", now - QUEUED_TOO_LONG_MS)),
  ];
  const jobs = new JobsService({
    repo,
    queue: queueOf(services.env.JOBS),
    maxAttempts: services.config.MAX_TRANSCODE_ATTEMPTS,
  });
  for (const video of stuck) {
    const next = await jobs.startAttempt(video, [video.status]);
    if (next.started) {
      report.restarted++;
      await room.publish(video.id, [{ type: "status", status: "queued", playable: video.playable }]);
    } else if (
      next.reason === "attempts_exhausted" &&
      (await failTimedOut(repo, room, notifyQueue(services.env), video, webhooks(services.env)))
    ) {
      report.timedOut++;
    }
  }

  report.orphanPrefixes = await removeOrphans(services, services.store);
  report.failedSources = await removeFailedSources(services, now);
  // Expired refresh tokens and sessions dead for a week go too.
  await new SessionsRepo(services.db).purge(now);
  // Sign-in delay and signup window rows nobody touched for an hour (ADR 0005).
  await new ThrottleRepo(services.db).purge(now);
  return report;
}

/** Attempts spent on a silent job: `failed`, watchers hear the vocabulary sentence, the owner is notified. */
async function failTimedOut(
  repo: VideosRepo,
  room: Room,
  notify: NotifyQueue,
  video: VideoRow,
  hooks?: WebhookEmitter,
): Promise<boolean> {
  const failed = await repo.transition(video.id, [video.status], {
    status: "failed",
    failureReason: "transcoding timed out",
    failureCode: "timed_out",
    progressJson: null,
  });
  if (!failed) return false;
  const message = failureMessage("timed_out");
  await room.publish(video.id, [
    {
      type: "status",
      status: "failed",
      playable: video.playable,
      failureReason: message,
      failureCode: "timed_out",
    },
    { type: "failed", reason: message, code: "timed_out" },
  ]);
  await hooks?.emit(video.ownerId, "video.failed", {
    video: webhookVideo({ ...video, status: "failed", failureReason: "transcoding timed out" }),
  });
  if (video.ownerId)
    await notifyUser(notify, { userId: video.ownerId, kind: "video_failed", videoId: video.id });
  return true;
}

async function failExpiredUploads(
  services: Services,
  repo: VideosRepo,
  room: Room,
  now: number,
): Promise<number> {
  let failed = 0;
  for (const video of await repo.expiredUploads(now)) {
    if (video.uploadId)
      await services.store.abortMultipart(sourceKey(video.id), video.uploadId).catch(() => {});
    await services.store.delete([sourceKey(video.id)]).catch(() => {});
    const reason = "upload expired before it was completed";
    if (
      await repo.transition(video.id, ["uploading"], {
        status: "failed",
        failureReason: reason,
        failureCode: "upload_expired",
        uploadId: null,
        sourceDeletedAt: now,
      })
    ) {
      failed++;
      await room.publish(video.id, [
        {
          type: "status",
          status: "failed",
          playable: false,
          failureReason: failureMessage("upload_expired"),
          failureCode: "upload_expired",
        },
      ]);
    }
  }
  return failed;
}

/**
 * A failed video keeps its source for FAILED_SOURCE_RETENTION_HOURS (the owner may want to
 * know what went wrong; support may look), then only the row stays. Bounded per run; a
 * delete that fails leaves the row unmarked, so the next run tries again.
 */
async function removeFailedSources(services: Services, now: number): Promise<number> {
  const retention = new SourceRetentionRepo(services.db);
  const before = now - services.config.FAILED_SOURCE_RETENTION_HOURS * 3600_000;
  let removed = 0;
  for (const id of await retention.due(before)) {
    try {
      await services.store.delete([sourceKey(id)]);
    } catch (err) {
      log.warn("sweeper: source not deleted yet", { videoId: id, error: errorMessage(err) });
      continue;
    }
    if (await retention.markDeleted(id, now)) removed++;
  }
  return removed;
}

/** One page of video prefixes per area and run: bounded work, converges over runs. */
async function removeOrphans(services: Services, store: ObjectStore): Promise<number> {
  let removed = 0;
  for (const area of ["videos/", "uploads/"]) {
    const { prefixes } = await store.listPrefixes(area);
    const ids = prefixes
      .map((p) => p.slice(area.length).replace(/\/$/, ""))
      .filter((id) => /^v_[A-Za-z0-9]{16}$/.test(id));
    if (ids.length === 0) continue;
    const known = new Set<string>();
    for (let i = 0; i < ids.length; i += 90) {
      const rows = await services.db
        .select({ id: videos.id })
        .from(videos)
        .where(inArray(videos.id, ids.slice(i, i + 90)))
        .all();
      for (const r of rows) known.add(r.id);
    }
    const orphans = ids.filter((id) => !known.has(id));
    await deletePrefixes(
      store,
      orphans.map((id) => `${area}${id}/`),
    );
    removed += orphans.length;
  }
  return removed;
}
