/**
 * Scheduled publishing, run by the cron (every 5 minutes): a private video whose `publishAt`
 * has come turns public, its schedule is cleared and `publishedAt` set (if it is ready;
 * otherwise when it becomes ready). Going public takes nobody's access away, so the access
 * epoch stays; this isolate's access cache learns the new visibility at once, other
 * isolates within ACCESS_EPOCH_CACHE_SECONDS (ADR 0003), like any other visibility change.
 */
import type { Services } from "../../lib/services.ts";
import { notifyQueue, videoPublished } from "../notifications/notifier.ts";
import { rememberAccess } from "./access-epoch.ts";
import { VideosRepo } from "./videos.repo.ts";

/** How many videos one run publishes; more wait for the next run. */
export const PUBLISH_BATCH = 100;

export async function publishScheduled(
  services: Pick<Services, "db" | "config"> & { env?: Pick<Env, "NOTIFY"> },
  now = Date.now(),
) {
  const published = await new VideosRepo(services.db).publishDue(now, PUBLISH_BATCH);
  const notify = services.env ? notifyQueue(services.env) : undefined;
  for (const row of published) {
    rememberAccess(row.id, row, services.config.ACCESS_EPOCH_CACHE_SECONDS * 1000, now);
    // Published by this run (ready already): its channel's subscribers hear of it (ADR 0017).
    if (notify && row.publishedAt === now) await videoPublished(notify, row.id);
  }
  return published.map((row) => row.id);
}
