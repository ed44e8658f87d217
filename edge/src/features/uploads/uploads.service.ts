/**
 * Direct-to-storage multipart uploads: enforces the per-user limits, plans parts, presigns
 * part URLs that accept exactly the planned length, records the browser-reported ETags
 * (the server-side truth for resume and progress — some S3 servers lack ListParts),
 * completes the upload exactly once and checks what storage assembled against the plan.
 */
import { type CreateUploadBody, type FailureCode, failureMessage, sourceKey } from "@streamline/contracts";
import type { Config } from "../../config.ts";
import type { VideoRow } from "../../db/schema.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newVideoId } from "../../lib/ids.ts";
import { type ObjectStore, StorageError } from "../../lib/storage/object-store.ts";
import { type JobQueue, JobsService } from "../jobs/jobs.service.ts";
import type { PreferencesRepo } from "../preferences/preferences.repo.ts";
import type { Room } from "../progress/room-notifier.ts";
import { isOwner } from "../videos/video-access.ts";
import { createWrite } from "../videos/video-metadata.ts";
import type { VideosRepo } from "../videos/videos.repo.ts";
import { type WebhookEmitter, webhookVideo } from "../webhooks/emit.ts";
import { type UploadLimits, uploadLimitError, withoutOne } from "./upload-limits.ts";
import {
  expectedPartSize,
  objectMismatchReason,
  partMismatchReason,
  partsOffPlan,
  SIZE_MISMATCH_CODE,
  sizeMismatchError,
} from "./upload-verification.ts";
import type { UploadsRepo } from "./uploads.repo.ts";

export { expectedPartSize };

const MiB = 1024 * 1024;
export const MIN_PART_SIZE = 8 * MiB;
export const MAX_PARTS = 10_000;
/** How many presigned URLs the create response carries; clients ask /urls for the rest. */
export const INITIAL_URLS = 100;

const VIDEO_EXTENSIONS = /\.(mp4|m4v|mov|mkv|webm|avi|wmv|flv|mpg|mpeg|ts|mts|m2ts|3gp|ogv|mxf)$/i;

export interface UploadDeps {
  repo: VideosRepo;
  /** Per-user usage for the quota and the unfinished-upload cap. */
  usage: Pick<UploadsRepo, "usage">;
  store: ObjectStore;
  queue: JobQueue;
  /** Watchers of the video hear about parts, completion and aborts. */
  room: Pick<Room, "publish">;
  /** Webhooks (ADR 0025): `upload.completed` once the source is assembled and queued. */
  webhooks?: WebhookEmitter;
  /** The uploader's `defaultVisibility` (for uploads that name none). */
  preferences: Pick<PreferencesRepo, "defaultVisibility">;
  config: Pick<
    Config,
    "MAX_UPLOAD_BYTES" | "UPLOAD_URL_TTL_SECONDS" | "UPLOAD_EXPIRY_HOURS" | "MAX_TRANSCODE_ATTEMPTS"
  > &
    UploadLimits;
  now?: () => number;
}

/** Equal parts (R2 requires all but the last to match, ≥ 5 MiB); whole MiB; ≤ 10,000 parts. */
export function planParts(size: number): { partSize: number; partCount: number } {
  const partSize = Math.max(MIN_PART_SIZE, Math.ceil(size / MAX_PARTS / MiB) * MiB);
  return { partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

type Plan = Pick<VideoRow, "size" | "partSize" | "partCount">;

export function isVideoContentType(contentType: string, filename: string): boolean {
  const type = contentType.toLowerCase().split(";")[0]!.trim();
  if (type.startsWith("video/")) return true;
  // Browsers report unknown containers (e.g. .mkv on some systems) as octet-stream or nothing.
  return (type === "application/octet-stream" || type === "") && VIDEO_EXTENSIONS.test(filename);
}

export class UploadsService {
  private readonly deps: UploadDeps;
  constructor(deps: UploadDeps) {
    this.deps = deps;
  }

  private now() {
    return this.deps.now?.() ?? Date.now();
  }

  async create(body: CreateUploadBody, ownerId: string) {
    const { config, store, repo } = this.deps;
    this.checkFile(body);
    const checkedAt = this.now();
    const before = uploadLimitError(
      await this.deps.usage.usage(ownerId, checkedAt),
      body.size,
      config,
      checkedAt,
    );
    if (before) throw before;
    const { partSize, partCount } = planParts(body.size);
    const id = newVideoId();
    const key = sourceKey(id);
    const uploadId = await store.createMultipart(key, body.contentType);
    const now = this.now();
    const uploadExpiresAt = now + config.UPLOAD_EXPIRY_HOURS * 3600_000;
    const metadata = createWrite(
      body,
      body.visibility ?? (await this.deps.preferences.defaultVisibility(ownerId)),
    );
    await repo.insert(
      {
        id,
        ownerId,
        title: body.title ?? body.filename.replace(/\.[^.]+$/, "").slice(0, 200),
        ...metadata.row,
        status: "uploading",
        filename: body.filename,
        contentType: body.contentType,
        size: body.size,
        partSize,
        partCount,
        uploadId,
        uploadExpiresAt,
        createdAt: now,
        updatedAt: now,
      },
      metadata.tags,
    );
    await this.recheckLimits({ id, ownerId, size: body.size, uploadId });
    const first = Array.from({ length: Math.min(partCount, INITIAL_URLS) }, (_, i) => i + 1);
    const { parts, expiresAt } = await this.presign(
      id,
      uploadId,
      { size: body.size, partSize, partCount },
      first,
    );
    return { videoId: id, partSize, partCount, parts, expiresAt };
  }

  private checkFile(body: CreateUploadBody) {
    const { config } = this.deps;
    if (body.size > config.MAX_UPLOAD_BYTES) {
      throw new AppError(
        413,
        "upload_too_large",
        `file is ${body.size} bytes; the limit is ${config.MAX_UPLOAD_BYTES}`,
      );
    }
    if (!isVideoContentType(body.contentType, body.filename)) {
      throw new AppError(415, "unsupported_media_type", `${body.contentType} is not a video type`);
    }
  }

  /**
   * Two creates racing past the first check both see each other here (D1 serializes
   * writes): whoever is over the limit with the other counted backs out. Both may, never
   * neither.
   */
  private async recheckLimits(upload: { id: string; ownerId: string; size: number; uploadId: string }) {
    const usage = await this.deps.usage.usage(upload.ownerId, this.now());
    const error = uploadLimitError(withoutOne(usage, upload.size), upload.size, this.deps.config, this.now());
    if (!error) return;
    await this.deps.repo.delete(upload.id);
    await this.deps.store.abortMultipart(sourceKey(upload.id), upload.uploadId).catch(() => {});
    throw error;
  }

  /** Each URL accepts exactly its part's planned length (the length is signed). */
  private async presign(videoId: string, uploadId: string, plan: Plan, partNumbers: number[]) {
    const ttl = this.deps.config.UPLOAD_URL_TTL_SECONDS;
    const key = sourceKey(videoId);
    const parts = await Promise.all(
      partNumbers.map(async (partNumber) => ({
        partNumber,
        url: await this.deps.store.presignPart(
          key,
          uploadId,
          partNumber,
          ttl,
          expectedPartSize(plan, partNumber),
        ),
      })),
    );
    return { parts, expiresAt: new Date(this.now() + ttl * 1000).toISOString() };
  }

  /** Loads a video the caller owns; anybody else's is indistinguishable from a missing one. */
  private async owned(videoId: string, ownerId: string): Promise<VideoRow> {
    const video = await this.deps.repo.find(videoId);
    if (!video || !isOwner(video, ownerId)) throw notFound();
    return video;
  }

  /** Loads a video of the caller's that is still accepting parts. */
  private async uploading(videoId: string, ownerId: string): Promise<VideoRow & { uploadId: string }> {
    const video = await this.owned(videoId, ownerId);
    if (video.status !== "uploading" || !video.uploadId) {
      throw new AppError(
        409,
        "upload_closed",
        `upload is ${video.status === "uploading" ? "aborted" : video.status}`,
      );
    }
    if (video.uploadExpiresAt < this.now())
      throw new AppError(409, "upload_expired", "upload session expired");
    return video as VideoRow & { uploadId: string };
  }

  async urls(videoId: string, ownerId: string, partNumbers: number[]) {
    const video = await this.uploading(videoId, ownerId);
    const bad = partNumbers.filter((n) => n > video.partCount);
    if (bad.length) {
      throw new AppError(400, "invalid_part_number", `parts go from 1 to ${video.partCount}`, {
        issues: bad.map((n) => ({ path: "partNumbers", message: `no part ${n}` })),
      });
    }
    return this.presign(
      video.id,
      video.uploadId,
      video,
      [...new Set(partNumbers)].sort((a, b) => a - b),
    );
  }

  async recordPart(
    videoId: string,
    ownerId: string,
    partNumber: number,
    part: { etag: string; size: number },
  ) {
    const video = await this.uploading(videoId, ownerId);
    if (partNumber > video.partCount) {
      throw new AppError(400, "invalid_part_number", `parts go from 1 to ${video.partCount}`);
    }
    const expected = expectedPartSize(video, partNumber);
    if (part.size !== expected) {
      throw new AppError(
        400,
        "part_size_mismatch",
        `part ${partNumber} must be ${expected} bytes, got ${part.size}`,
      );
    }
    await this.deps.repo.upsertPart({ videoId, partNumber, etag: part.etag, size: part.size });
    const parts = await this.deps.repo.parts(videoId);
    await this.deps.room.publish(videoId, [
      {
        type: "upload",
        partsDone: parts.length,
        partCount: video.partCount,
        uploadedBytes: parts.reduce((sum, p) => sum + p.size, 0),
        size: video.size,
      },
    ]);
  }

  async state(videoId: string, ownerId: string) {
    const video = await this.owned(videoId, ownerId);
    const parts = (await this.deps.repo.parts(videoId)).map(({ partNumber, etag, size }) => ({
      partNumber,
      etag,
      size,
    }));
    return {
      videoId,
      status: video.status,
      size: video.size,
      partSize: video.partSize,
      partCount: video.partCount,
      parts,
      uploadedBytes: parts.reduce((sum, p) => sum + p.size, 0),
      expiresAt: new Date(video.uploadExpiresAt).toISOString(),
    };
  }

  /**
   * Idempotent: completing an already-completed upload returns the video, enqueues nothing.
   * Storage is checked against the plan, not the client's word: the stored parts before
   * (ListParts, where the server has it) and the assembled object after (HEAD). A mismatch
   * fails the upload for good (422) and deletes what was stored.
   */
  async complete(videoId: string, ownerId: string): Promise<VideoRow> {
    const current = await this.owned(videoId, ownerId);
    if (current.status !== "uploading") {
      if (current.status === "failed" && current.attempt === 0) {
        throw new AppError(409, "upload_closed", `upload is closed: ${current.failureReason ?? "aborted"}`);
      }
      return current;
    }
    const video = await this.uploading(videoId, ownerId);
    const parts = await this.recordedParts(video);
    await this.checkStoredParts(video);
    const raced = await this.assemble(video, parts);
    if (raced) return raced;
    await this.checkAssembled(video);
    return this.queue(video);
  }

  /** Every planned part, as recorded; 409 naming the missing ones otherwise. */
  private async recordedParts(video: VideoRow) {
    const parts = await this.deps.repo.parts(video.id);
    const have = new Set(parts.map((p) => p.partNumber));
    const missing = Array.from({ length: video.partCount }, (_, i) => i + 1).filter((n) => !have.has(n));
    if (missing.length) {
      throw new AppError(
        409,
        "parts_missing",
        `${missing.length} of ${video.partCount} parts not uploaded yet`,
        { issues: [{ path: "parts", message: "missing parts", missing }] },
      );
    }
    return parts.filter((p) => p.partNumber <= video.partCount);
  }

  /** Where storage lists parts: each planned part must hold exactly its planned length. */
  private async checkStoredParts(video: VideoRow & { uploadId: string }) {
    const listed = await this.deps.store.listParts(sourceKey(video.id), video.uploadId).catch((err) => {
      // NoSuchUpload may be a completion we never recorded: `assemble` sorts that out.
      if (err instanceof StorageError) return null;
      throw err;
    });
    if (!listed) return;
    const off = partsOffPlan(video, listed);
    if (off.length === 0) return;
    const reason = partMismatchReason(off);
    await this.failUpload(video, reason);
    throw sizeMismatchError(reason, { declaredBytes: off[0]!.expected, storedBytes: off[0]!.stored, off });
  }

  /** CompleteMultipartUpload; returns the video when a concurrent complete already won. */
  private async assemble(
    video: VideoRow & { uploadId: string },
    parts: { partNumber: number; etag: string }[],
  ): Promise<VideoRow | null> {
    const { repo, store } = this.deps;
    try {
      await store.completeMultipart(
        sourceKey(video.id),
        video.uploadId,
        parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
      );
      return null;
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      // A concurrent complete may have won the race; its result stands.
      const again = await repo.find(video.id);
      if (again && again.status !== "uploading") return again;
      // Storage completed but we never recorded it (crash between the two): carry on.
      if (err.s3Code === "NoSuchUpload" && (await store.head(sourceKey(video.id)))) return null;
      if (err.status >= 400 && err.status < 500) {
        throw new AppError(
          409,
          "parts_rejected",
          `storage rejected the parts (${err.s3Code ?? err.status}); re-upload them`,
        );
      }
      throw storageUnavailable();
    }
  }

  /** The assembled object must be exactly the declared size. */
  private async checkAssembled(video: VideoRow) {
    const meta = await this.deps.store.head(sourceKey(video.id)).catch((err) => {
      if (err instanceof StorageError) throw storageUnavailable();
      throw err;
    });
    if (meta && meta.size === video.size) return;
    const stored = meta?.size ?? null;
    const reason = objectMismatchReason(video.size, stored);
    await this.failUpload(video, reason);
    throw sizeMismatchError(reason, { declaredBytes: video.size, storedBytes: stored ?? 0 });
  }

  private async queue(video: VideoRow): Promise<VideoRow> {
    const { repo } = this.deps;
    const jobs = new JobsService({
      repo,
      queue: this.deps.queue,
      maxAttempts: this.deps.config.MAX_TRANSCODE_ATTEMPTS,
    });
    await jobs.startAttempt({ ...video, uploadId: null }, ["uploading"]);
    await repo.update(video.id, { uploadId: null });
    const queued = (await repo.find(video.id))!;
    await this.deps.room.publish(video.id, [
      { type: "status", status: queued.status, playable: queued.playable },
    ]);
    await this.deps.webhooks?.emit(queued.ownerId, "upload.completed", { video: webhookVideo(queued) });
    return queued;
  }

  /**
   * Ends an upload as `failed`: the multipart upload and any stored source are deleted.
   * `reason` is the owner's detail; watchers hear only the vocabulary sentence of the code.
   */
  private async failUpload(
    video: Pick<VideoRow, "id" | "uploadId">,
    reason: string,
    failureCode: FailureCode = SIZE_MISMATCH_CODE,
  ) {
    const key = sourceKey(video.id);
    if (video.uploadId) {
      // Some S3 servers lack AbortMultipartUpload; the sweeper removes leftovers.
      await this.deps.store.abortMultipart(key, video.uploadId).catch(() => {});
    }
    await this.deps.store.delete([key]).catch(() => {});
    const failed = await this.deps.repo.transition(video.id, ["uploading"], {
      status: "failed",
      failureReason: reason,
      failureCode,
      uploadId: null,
      sourceDeletedAt: this.now(),
    });
    if (failed) {
      await this.deps.room.publish(video.id, [
        {
          type: "status",
          status: "failed",
          playable: false,
          failureReason: failureMessage(failureCode),
          failureCode,
        },
      ]);
    }
  }

  async abort(videoId: string, ownerId: string): Promise<void> {
    const video = await this.uploading(videoId, ownerId);
    await this.failUpload(video, "upload aborted", "upload_aborted");
  }
}

const storageUnavailable = () =>
  new AppError(503, "storage_unavailable", "storage did not answer; try again", {
    headers: { "retry-after": "5" },
  });
