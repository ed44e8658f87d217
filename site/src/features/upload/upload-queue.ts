/**
 * The upload queue (ADR 0020): several files at once, each with its own state, progress and
 * controls. Up to `MAX_ACTIVE` files send their parts at the same time (each with its own
 * pool of parallel parts); the rest wait their turn. Pause aborts the file's requests and
 * keeps its upload session on the edge (the part in flight is sent again on resume, the
 * recorded ones never); resume asks the edge which parts it has and sends the rest; cancel
 * aborts and discards the session. The view (upload-page.ts) listens with `onChange`.
 */
import { backoffDelay } from "@streamline/contracts";
import { ApiError, api, type UploadStateResponse, type VideoDto } from "../../lib/api.ts";
import { formatBytes, formatPercent } from "../../lib/format.ts";
import {
  abortableSleep,
  PART_RETRY_BACKOFF,
  type PartStatus,
  type UploadProgress,
  uploadParts,
} from "./multipart-upload.ts";
import type { ItemDetails } from "./upload-details.ts";
import { checkResume, fileKeyOf, openUpload, type ResumeStore } from "./upload-session.ts";
import { xhrPartTransport } from "./xhr-part-transport.ts";

/** Files sending at once; the others wait (each file already sends 4 parts in parallel). */
export const MAX_ACTIVE = 2;
const PARALLEL_PARTS = 4;
const PART_RETRIES = 3;

export type ItemState =
  | "checking"
  | "ready"
  | "waiting"
  | "uploading"
  | "paused"
  | "completing"
  | "processing"
  | "error";

export interface UploadItem {
  readonly key: number;
  readonly file: File;
  readonly details: ItemDetails;
  state: ItemState;
  videoId: string | null;
  /** An unfinished session on the edge for this file (resume sends only the rest). */
  resumeState: UploadStateResponse | null;
  /** Already uploaded earlier: starting it only follows its processing. */
  submittedVideoId: string | null;
  /** "You started uploading this file earlier…" */
  note: string | null;
  error: unknown;
  /** Part layout and the last status of each part (the parts panel draws the selected file). */
  layout: { partCount: number; partSize: number } | null;
  parts: Map<number, Readonly<PartStatus>>;
  progress: UploadProgress | null;
  /** The video as completion returned it (the stage starts from it). */
  video: VideoDto | null;
  resumed: boolean;
  run: AbortController | null;
}

export interface QueueEvents {
  /** Something about `item` changed (state, progress, error). */
  onChange(item: UploadItem): void;
  onPart(item: UploadItem, part: Readonly<PartStatus>): void;
  onStarted(item: UploadItem): void;
}

const PAUSED = "paused";

/** The fraction of the file the edge has (or is receiving), 0…1. */
export function itemFraction(item: UploadItem): number {
  if (item.state === "completing" || item.state === "processing") return 1;
  const p = item.progress;
  if (p?.totalBytes) return p.uploadedBytes / p.totalBytes;
  if (item.resumeState) return item.resumeState.uploadedBytes / Math.max(1, item.resumeState.size);
  return 0;
}

/** The one-line status a queue row shows. */
export function itemStatus(item: UploadItem): string {
  const percent = formatPercent(itemFraction(item));
  switch (item.state) {
    case "checking":
      return "Checking…";
    case "ready":
      return item.submittedVideoId
        ? "Already uploaded"
        : item.resumeState
          ? `Ready to resume (${percent})`
          : "Ready";
    case "waiting":
      return "Waiting for a free slot";
    case "uploading":
      return `Uploading · ${percent}${item.progress?.bytesPerSecond ? ` · ${formatBytes(item.progress.bytesPerSecond)}/s` : ""}`;
    case "paused":
      return `Paused · ${percent}`;
    case "completing":
      return "Finishing…";
    case "processing":
      return "Uploaded · processing";
    case "error":
      return "Stopped";
  }
}

export function createItem(key: number, file: File, details: ItemDetails): UploadItem {
  return {
    key,
    file,
    details,
    state: "checking",
    videoId: null,
    resumeState: null,
    submittedVideoId: null,
    note: null,
    error: null,
    layout: null,
    parts: new Map(),
    progress: null,
    video: null,
    resumed: false,
    run: null,
  };
}

/** Asks the edge whether this file was started (resume) or already sent (follow it). */
export async function checkItem(item: UploadItem, store: ResumeStore): Promise<void> {
  if (item.file.size === 0) {
    item.error = new Error("That file is empty.");
    item.state = "error";
    return;
  }
  try {
    const check = await checkResume(item.file, { api, store });
    if (check.kind === "resumable") {
      item.resumeState = check.state;
      const percent = formatPercent(check.state.uploadedBytes / check.state.size);
      item.note = `You started uploading this file earlier: ${formatBytes(check.state.uploadedBytes)} (${percent}) is already there. Only the rest will be sent.`;
    } else if (check.kind === "submitted") {
      item.submittedVideoId = check.videoId;
      item.note = "This file was already uploaded. Continue to follow its processing.";
    }
  } catch (err) {
    // Can't tell whether it is resumable: uploading afresh is still possible.
    console.warn("resume check failed", err);
  }
  item.state = "ready";
}

/** Complete, retrying answers that might succeed next time (network, 5xx, 429). */
async function complete(videoId: string, signal: AbortSignal): Promise<VideoDto> {
  for (let retry = 0; ; retry++) {
    try {
      return await api.completeUpload(videoId, signal);
    } catch (err) {
      if (!(err instanceof ApiError) || !err.retryable || retry >= PART_RETRIES) throw err;
      await abortableSleep(backoffDelay(retry, PART_RETRY_BACKOFF), signal);
    }
  }
}

export class UploadQueue {
  readonly items: UploadItem[] = [];

  constructor(
    readonly store: ResumeStore,
    private readonly events: QueueEvents,
  ) {}

  private active(): number {
    return this.items.filter((i) => i.state === "uploading" || i.state === "completing").length;
  }

  /** Queue `item` to send (ready, stopped or paused ones). */
  enqueue(item: UploadItem): void {
    if (!["ready", "error", "paused"].includes(item.state)) return;
    item.error = null;
    item.state = "waiting";
    this.events.onChange(item);
    this.pump();
  }

  /** Starts waiting files while there is a free slot. */
  private pump(): void {
    for (const item of this.items) {
      if (this.active() >= MAX_ACTIVE) return;
      if (item.state === "waiting") void this.send(item);
    }
  }

  private async send(item: UploadItem): Promise<void> {
    const controller = new AbortController();
    item.run = controller;
    item.state = "uploading";
    this.events.onChange(item);
    try {
      await this.sendParts(item, controller.signal);
      item.state = "completing";
      this.events.onChange(item);
      item.video = await complete(item.videoId!, controller.signal);
      this.store.remove(fileKeyOf(item.file));
      item.resumeState = null;
      item.state = "processing";
    } catch (err) {
      if (controller.signal.reason === PAUSED) item.state = "paused";
      else if (!controller.signal.aborted) Object.assign(item, { state: "error", error: err });
      // else: cancelled — cancel() owns the item.
    } finally {
      if (item.run === controller) item.run = null;
      if (this.items.includes(item)) this.events.onChange(item);
      this.pump();
    }
  }

  /** Opens (or resumes) the upload and sends the parts the edge does not have. */
  private async sendParts(item: UploadItem, signal: AbortSignal): Promise<void> {
    // A paused or stopped file: the edge's record says which parts it has.
    if (item.videoId && !item.resumeState) item.resumeState = await api.getUpload(item.videoId, signal);
    const opened = await openUpload(item.file, {
      api,
      store: this.store,
      title: item.details.title(),
      metadata: item.details.createFields(),
      resume: item.resumeState ?? undefined,
      signal,
    });
    const { target } = opened;
    const firstAttach = item.videoId === null;
    Object.assign(item, { videoId: target.videoId, resumed: opened.resumed, resumeState: null, note: null });
    if (firstAttach) item.details.attach(target.videoId, opened.resumed);
    item.layout = { partCount: target.partCount, partSize: target.partSize };
    item.parts = new Map();
    for (const n of target.doneParts ?? []) item.parts.set(n, doneStatus(n, target.partSize, item.file.size));
    this.events.onStarted(item);
    await uploadParts(target, {
      api,
      transport: xhrPartTransport,
      concurrency: PARALLEL_PARTS,
      maxRetries: PART_RETRIES,
      signal,
      onPart: (part) => {
        item.parts.set(part.partNumber, part);
        this.events.onPart(item, part);
      },
      onProgress: (progress) => {
        item.progress = progress;
        this.events.onChange(item);
      },
    });
  }

  /** Stops sending; the session stays on the edge for resume. */
  pause(item: UploadItem): void {
    if (item.state === "waiting") {
      item.state = "paused";
      this.events.onChange(item);
      return;
    }
    if (item.state === "uploading") item.run?.abort(PAUSED);
  }

  /** Stops and discards the file (and its session on the edge); true when the edge discarded it too. */
  async cancel(item: UploadItem): Promise<boolean> {
    const index = this.items.indexOf(item);
    if (index >= 0) this.items.splice(index, 1);
    item.run?.abort(new DOMException("Upload cancelled", "AbortError"));
    item.details.detach();
    this.store.remove(fileKeyOf(item.file));
    this.pump();
    const videoId = item.videoId ?? item.resumeState?.videoId ?? null;
    if (!videoId || item.state === "processing") return true;
    await api.abortUpload(videoId);
    return true;
  }
}

function doneStatus(partNumber: number, partSize: number, size: number): PartStatus {
  const bytes = Math.min(partSize, size - (partNumber - 1) * partSize);
  return {
    partNumber,
    size: bytes,
    state: "done",
    loaded: bytes,
    attempt: 0,
    bytesPerSecond: 0,
    etaSec: null,
  };
}
