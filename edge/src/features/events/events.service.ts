/**
 * Applies signed transcoder events to the durable state (D1) and tells the video's room
 * (Durable Object) what changed. Events of an attempt other than the current one, and
 * events older than the last applied one, change nothing.
 */
import {
  inferFailureCode,
  type PosterSizeKey,
  type TranscoderEvent,
  type WsMessage,
} from "@streamline/contracts";
import type { VideoRow } from "../../db/schema.ts";
import { log } from "../../lib/log.ts";
import { deleteUnder, type ObjectStore } from "../../lib/storage/object-store.ts";
import { applyDownloadEvent } from "../downloads/download-events.ts";
import { type JobQueue, JobsService } from "../jobs/jobs.service.ts";
import { type NotifyQueue, notifyUser, videoPublished } from "../notifications/notifier.ts";
import type { Room } from "../progress/room-notifier.ts";
import { downloadRungOf } from "../videos/download-state.ts";
import { renditionsOf } from "../videos/video-dto.ts";
import { failureMessages, storedFailure } from "../videos/video-failure.ts";
import type { NewVideo, VideosRepo } from "../videos/videos.repo.ts";
import { type WebhookEmitter, webhookVideo } from "../webhooks/emit.ts";

export type ApplyOutcome = "applied" | "duplicate" | "stale_attempt" | "video_gone";

export interface EventDeps {
  repo: VideosRepo;
  /** Where intermediate masters are pruned once a video is done. */
  store: Pick<ObjectStore, "list" | "delete">;
  queue: JobQueue;
  room: Room;
  maxAttempts: number;
  now?: () => number;
  /** Notifications (ADR 0017): the owner's ready/failed, the subscribers' new video. */
  notify?: NotifyQueue;
  /** Webhooks (ADR 0025): `video.playable`, `video.ready`, `video.failed`. */
  webhooks?: WebhookEmitter;
}

export class EventsService {
  private readonly deps: EventDeps;
  constructor(deps: EventDeps) {
    this.deps = deps;
  }

  apply(ev: TranscoderEvent): Promise<ApplyOutcome> {
    return applyTranscoderEvent(this.deps, ev);
  }

  /**
   * Once `done` has moved the pointer to the final master, the versioned masters written
   * while rungs appeared (`master-<n>.m3u8`) are unreachable: delivery only ever serves the
   * object the pointer names, and re-reads it if the one it read a moment ago is gone.
   */
  pruneIntermediateMasters(videoId: string, finalKey: string): Promise<number> {
    return deleteUnder(
      this.deps.store,
      `videos/${videoId}/master-`,
      (k) => INTERMEDIATE_MASTER.test(k) && k !== finalKey,
    );
  }
}

const INTERMEDIATE_MASTER = /\/master-\d+\.m3u8$/;

async function applyTranscoderEvent(deps: EventDeps, ev: TranscoderEvent): Promise<ApplyOutcome> {
  const video = await deps.repo.find(ev.videoId);
  if (!video) return "video_gone";
  if (video.posterAttemptId && video.posterAttemptId === ev.attemptId)
    return applyPosterEvent(deps, video, ev);
  const downloadRung = downloadRungOf(video, ev.attemptId);
  if (downloadRung) return applyDownloadEvent(deps.repo, video.id, downloadRung, ev);
  if (video.attemptId !== ev.attemptId || ev.type === "poster" || ev.type === "download")
    return "stale_attempt";
  const now = deps.now?.() ?? Date.now();
  const live: NewVideo["status"] = "processing";
  let patch: Partial<NewVideo>;
  let messages: WsMessage[] = [];

  switch (ev.type) {
    case "heartbeat":
      patch = { heartbeatAt: now, ...(video.status === "queued" ? { status: live } : {}) };
      if (video.status === "queued")
        messages = [{ type: "status", status: "processing", playable: video.playable }];
      break;
    case "probed":
      patch = {
        status: live,
        heartbeatAt: now,
        durationSec: ev.probe.durationSec,
        width: ev.probe.displayWidth,
        height: ev.probe.displayHeight,
        probeJson: JSON.stringify(ev.probe),
      };
      messages = [{ type: "status", status: "processing", playable: video.playable }];
      break;
    case "progress": {
      const progress = {
        stage: ev.stage,
        percent: ev.percent,
        ...(ev.fps !== undefined ? { fps: ev.fps } : {}),
        ...(ev.speed !== undefined ? { speed: ev.speed } : {}),
        ...(ev.etaSec !== undefined ? { etaSec: ev.etaSec } : {}),
        ...(ev.rendition ? { rendition: ev.rendition } : {}),
      };
      patch = {
        status: live,
        heartbeatAt: now,
        progressJson: JSON.stringify({ ...progress, updatedAt: ev.at }),
      };
      messages = [{ type: "progress", ...progress }];
      break;
    }
    case "rendition": {
      const others = renditionsOf(video).filter((r) => r.name !== ev.rendition.name);
      patch = {
        status: live,
        heartbeatAt: now,
        playable: true,
        masterKey: ev.masterKey,
        renditionsJson: JSON.stringify([...others, ev.rendition]),
      };
      messages = [
        { type: "rendition", rendition: ev.rendition },
        { type: "status", status: "processing", playable: true },
      ];
      break;
    }
    case "done":
      patch = {
        status: "ready",
        playable: true,
        failureReason: null,
        failureCode: null,
        renditionsJson: JSON.stringify(ev.renditions),
        masterKey: ev.masterKey,
        // An owner's custom poster (uploaded or pending) wins over the generated one.
        ...(video.posterAttemptId
          ? {}
          : { posterKey: ev.posterKey, posterSizesJson: posterSizesJson(ev.posterSizes) }),
        trickplayKey: ev.trickplay?.vttKey ?? null,
        durationSec: ev.probe.durationSec,
        width: ev.probe.displayWidth,
        height: ev.probe.displayHeight,
        probeJson: JSON.stringify(ev.probe),
        progressJson: null,
        readyAt: now,
      };
      messages = [{ type: "status", status: "ready", playable: true }, { type: "ready" }];
      break;
    case "failed":
      return applyFailedEvent(deps, video, ev);
  }
  const applied = await deps.repo.applyAttemptEvent(video.id, ev.attemptId, ev.seq, patch);
  if (!applied) return "duplicate";
  // Ready while public: this is when it is published (ADR 0013).
  if (ev.type === "done") await notifyDone(deps, video, now);
  await emitTransition(deps, video, patch, ev.type);
  // Every sign of life from the current attempt renews its lease; `done` ends it.
  await deps.room.publish(video.id, messages, {
    action: ev.type === "done" ? "release" : "renew",
    attemptId: ev.attemptId,
  });
  return "applied";
}

/** `done` applied: the owner hears the video is ready; if that published it, its subscribers do too. */
async function notifyDone(deps: EventDeps, video: VideoRow, now: number) {
  const published = await deps.repo.markPublished(video.id, now);
  if (!deps.notify) return;
  if (video.ownerId)
    await notifyUser(deps.notify, { userId: video.ownerId, kind: "video_ready", videoId: video.id });
  if (published) await videoPublished(deps.notify, video.id);
}

/** Webhooks: the first playable rendition (or `done` if none came before) and `done`. */
async function emitTransition(deps: EventDeps, video: VideoRow, patch: Partial<NewVideo>, type: string) {
  if (!deps.webhooks || (type !== "rendition" && type !== "done")) return;
  const data = { video: webhookVideo({ ...video, ...patch }) };
  if (!video.playable) await deps.webhooks.emit(video.ownerId, "video.playable", data);
  if (type === "done") await deps.webhooks.emit(video.ownerId, "video.ready", data);
}

/**
 * Records the event first (dedupe), then decides between another attempt and giving up.
 * D1 keeps the code and the owner's detail, sanitized again here (the fleet's text is not
 * trusted to be clean); watchers are told the vocabulary sentence only.
 */
async function applyFailedEvent(
  deps: EventDeps,
  video: VideoRow,
  ev: Extract<TranscoderEvent, { type: "failed" }>,
): Promise<ApplyOutcome> {
  if (!(await deps.repo.applyAttemptEvent(video.id, ev.attemptId, ev.seq, {}))) return "duplicate";
  await deps.room.releaseLease(video.id, ev.attemptId);
  if (ev.retryable) {
    const jobs = new JobsService({ repo: deps.repo, queue: deps.queue, maxAttempts: deps.maxAttempts });
    const retry = await jobs.startAttempt(video, ["queued", "processing"]);
    if (retry.started) {
      await deps.room.publish(video.id, [{ type: "status", status: "queued", playable: video.playable }]);
      return "applied";
    }
  }
  const code = ev.code ?? inferFailureCode(ev.reason);
  const detail = ev.retryable
    ? `transcoding failed after ${video.attempt} attempts: ${ev.reason}`
    : ev.reason;
  await deps.repo.transition(video.id, ["queued", "processing"], {
    status: "failed",
    ...storedFailure(code, detail),
    progressJson: null,
  });
  await deps.room.publish(video.id, failureMessages(code, video.playable));
  await deps.webhooks?.emit(video.ownerId, "video.failed", {
    video: webhookVideo({ ...video, status: "failed", ...storedFailure(code, detail) }),
  });
  if (deps.notify && video.ownerId) {
    await notifyUser(deps.notify, { userId: video.ownerId, kind: "video_failed", videoId: video.id });
  }
  return "applied";
}

/** The poster's widths as stored (null: none — an older node, or the sizes failed). */
function posterSizesJson(sizes: PosterSizeKey[] | undefined): string | null {
  return sizes?.length ? JSON.stringify(sizes) : null;
}

/**
 * Events of a custom-poster job: only its result matters. A failed poster job leaves the
 * previous poster in place (the owner can try again); nothing here touches the transcode.
 */
async function applyPosterEvent(
  deps: EventDeps,
  video: VideoRow,
  ev: TranscoderEvent,
): Promise<ApplyOutcome> {
  if (ev.type === "poster") {
    await deps.repo.update(video.id, {
      posterKey: ev.posterKey,
      posterWebpKey: ev.posterWebpKey,
      posterSizesJson: posterSizesJson(ev.posterSizes),
    });
    return "applied";
  }
  if (ev.type === "failed") log.warn("poster job failed", { videoId: video.id, reason: ev.reason });
  return "duplicate";
}
