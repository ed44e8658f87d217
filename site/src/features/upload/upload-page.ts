/**
 * The upload page (`/upload`, ADR 0020): pick or drop several files; each joins the queue
 * (upload-queue.ts) with its own progress and pause / resume / cancel. One file is
 * "selected" (picking a row, or the newest pick): the details form edits its title and
 * metadata while its bytes move, the parts panel and the error line are its, and once
 * uploaded the video stage follows its transcode. `data-state` / `data-video-id` on the page
 * root mirror the selected file:
 * idle → checking → selected → uploading (or paused) → completing → processing, or error / cancelled.
 */
import { ApiError, api, type ValidationIssue } from "../../lib/api.ts";
import { elementsOf, requireElement, role } from "../../lib/dom.ts";
import { formatBytes } from "../../lib/format.ts";
import { explainEmailUnverified, isEmailUnverified } from "../email/resend-verification.ts";
import { mountVideoStage, type VideoStage } from "../watch/video-stage.ts";
import { mountFilePicker } from "./file-picker.ts";
import { PartUploadError } from "./multipart-upload.ts";
import { mountUploadDetails, type UploadDetailsForm } from "./upload-details.ts";
import { mountUploadProgress, type UploadProgressView } from "./upload-progress-view.ts";
import { checkItem, createItem, type ItemState, type UploadItem, UploadQueue } from "./upload-queue.ts";
import { type QueueRow, queueRow } from "./upload-queue-row.ts";
import { localResumeStore } from "./upload-session.ts";

export type UploadPageState =
  | "idle"
  | "checking"
  | "selected"
  | "uploading"
  | "paused"
  | "completing"
  | "processing"
  | "error"
  | "cancelled";

const PAGE_STATE: Record<ItemState, UploadPageState> = {
  checking: "checking",
  ready: "selected",
  waiting: "uploading",
  uploading: "uploading",
  paused: "paused",
  completing: "completing",
  processing: "processing",
  error: "error",
};

/** The API's terse messages ("text/plain is not a video type") as a sentence for people. */
export function errorMessage(err: unknown): string {
  let text = err instanceof Error ? err.message : String(err);
  if (err instanceof ApiError) {
    const issue = (err.issues?.[0] as ValidationIssue | undefined)?.message;
    if (typeof issue === "string" && issue !== err.message) text = `${text}: ${issue}`;
  }
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function uploadElements(root: HTMLElement) {
  const $ = elementsOf(root, "upload page");
  return {
    root,
    form: $(role("form"), HTMLFormElement),
    fieldset: $(role("fieldset"), HTMLFieldSetElement),
    fileInput: $(role("file-input"), HTMLInputElement),
    dropzone: $(role("dropzone")),
    resumeNote: $(role("resume-note")),
    queuePanel: $(role("queue-panel")),
    queueList: $(role("queue"), HTMLOListElement),
    queueSummary: $(role("queue-summary")),
    rowTemplate: requireElement(document, "#queue-item-template", HTMLTemplateElement, "upload page"),
    detailsForm: $(role("details-form"), HTMLFormElement),
    detailsFile: $(role("details-file")),
    startButton: $(role("start"), HTMLButtonElement),
    startLabel: $(role("start-label")),
    errorBox: $(role("error")),
    errorText: $(role("error-message")),
    noticeBox: $(role("notice")),
    progressPanel: $(role("progress-panel")),
    progressTitle: $(role("progress-title")),
    progressFile: $(role("progress-file")),
    cancelButton: $(role("cancel"), HTMLButtonElement),
    cancelLabel: $(role("cancel-label")),
    transcodePanel: $(role("transcode-panel")),
    transcodeTitle: $(role("transcode-title")),
    watchLink: $(role("watch-link"), HTMLAnchorElement),
    uploadAnother: $(role("upload-another"), HTMLButtonElement),
    stageRoot: $('[data-testid="player-wrapper"]'),
  };
}

interface UploadPage {
  el: ReturnType<typeof uploadElements>;
  progress: UploadProgressView;
  details: UploadDetailsForm;
  queue: UploadQueue;
  rows: Map<UploadItem, QueueRow>;
  selected: UploadItem | null;
  stage: { item: UploadItem; stage: VideoStage } | null;
  /** Numbers the files picked on this page. */
  picks: number;
}

function showNotice(page: UploadPage, message: string | null): void {
  page.el.noticeBox.textContent = message ?? "";
  page.el.noticeBox.hidden = !message;
}

/** The error line for the selected file: why it stopped, and what pressing Upload will do. */
function paintError(page: UploadPage, item: UploadItem | null): void {
  const { el } = page;
  const err = item?.state === "error" ? item.error : null;
  el.errorBox.hidden = !err;
  if (!err) return;
  const resumable = item?.videoId != null && !(err instanceof ApiError && err.status === 409);
  el.errorText.textContent =
    err instanceof PartUploadError && resumable
      ? `${err.message}. Press “Resume upload” to send the remaining parts.`
      : errorMessage(err);
  // REQUIRE_EMAIL_VERIFICATION: say so in words, with the resend action.
  if (isEmailUnverified(err)) explainEmailUnverified(el.errorText);
}

function startLabel(page: UploadPage): string {
  const startable = page.queue.items.filter((i) => i.state === "ready" || i.state === "error");
  const item = page.selected;
  if (startable.length > 1) return `Upload ${startable.length} files`;
  if (item?.submittedVideoId && item.state === "ready") return "Show progress";
  if (item && (item.resumeState || (item.state === "error" && item.videoId))) return "Resume upload";
  return "Upload";
}

/** Page-level parts: the start button, the root's state, the queue summary. */
function paintPage(page: UploadPage): void {
  const { el, queue, selected } = page;
  const startable = queue.items.some((i) => i.state === "ready" || i.state === "error");
  el.startButton.disabled = !startable;
  el.startLabel.textContent = startLabel(page);
  el.root.dataset.state = selected
    ? PAGE_STATE[selected.state]
    : el.root.dataset.state === "cancelled"
      ? "cancelled"
      : "idle";
  if (selected?.videoId) el.root.dataset.videoId = selected.videoId;
  else delete el.root.dataset.videoId;
  el.queuePanel.hidden = queue.items.length === 0;
  const sending = queue.items.filter((i) => i.state === "uploading" || i.state === "completing").length;
  el.queueSummary.textContent = `${queue.items.length} ${queue.items.length === 1 ? "file" : "files"}${sending ? ` · ${sending} sending` : ""}`;
}

/** The selected file's panels: note, error, parts, stage. */
function paintSelected(page: UploadPage): void {
  const { el } = page;
  const item = page.selected;
  el.resumeNote.textContent = item?.note ?? "";
  el.resumeNote.hidden = !item?.note || item.state !== "ready";
  el.detailsFile.textContent = item ? item.file.name : "";
  paintError(page, item);
  const showParts =
    !!item?.layout && ["uploading", "paused", "completing", "error", "waiting"].includes(item.state);
  el.progressPanel.hidden = !showParts;
  if (item && showParts) {
    el.progressTitle.textContent = progressTitle(item);
    el.progressFile.textContent = `${item.file.name} · ${formatBytes(item.file.size)}`;
    el.cancelButton.disabled = item.state === "completing";
    el.cancelLabel.textContent = item.state === "error" ? "Discard upload" : "Cancel";
  }
  if (item?.state === "processing") followVideo(page, item);
  else if (!item || page.stage?.item !== item) el.transcodePanel.hidden = true;
}

function progressTitle(item: UploadItem): string {
  switch (item.state) {
    case "paused":
      return "Upload paused";
    case "completing":
      return "Finishing upload";
    case "error":
      return "Upload stopped";
    default:
      return item.resumed ? "Resuming upload" : "Uploading";
  }
}

function followVideo(page: UploadPage, item: UploadItem): void {
  const { el } = page;
  const videoId = item.submittedVideoId ?? item.videoId;
  if (!videoId) return;
  el.transcodePanel.hidden = false;
  el.watchLink.href = `/watch/${encodeURIComponent(videoId)}`;
  if (page.stage?.item === item) return;
  page.stage?.stage.stop();
  el.transcodeTitle.textContent = item.video?.title ?? "Processing";
  const stage = mountVideoStage(el.stageRoot, videoId, {
    ...(item.video ? { initial: item.video } : {}),
    onVideo(video) {
      el.transcodeTitle.textContent = video.title;
    },
  });
  page.stage = { item, stage };
}

function select(page: UploadPage, item: UploadItem | null): void {
  page.selected = item;
  page.details.show(item?.details ?? null);
  for (const [it, row] of page.rows) row.setSelected(it === item);
  if (item?.layout)
    page.progress.reset(item.layout.partCount, item.layout.partSize, item.file.size, doneParts(item));
  if (item?.progress) page.progress.onProgress(item.progress);
  paintSelected(page);
  paintPage(page);
}

function doneParts(item: UploadItem): number[] {
  return [...item.parts.values()].filter((p) => p.state === "done").map((p) => p.partNumber);
}

function changed(page: UploadPage, item: UploadItem): void {
  page.rows.get(item)?.paint(item);
  if (item === page.selected) {
    if (item.progress) page.progress.onProgress(item.progress);
    paintSelected(page);
  }
  paintPage(page);
  const busy = page.queue.items.some((i) => ["waiting", "uploading", "completing"].includes(i.state));
  if (busy) window.addEventListener("beforeunload", warnBeforeLeaving);
  else window.removeEventListener("beforeunload", warnBeforeLeaving);
}

const warnBeforeLeaving = (event: BeforeUnloadEvent) => {
  event.preventDefault();
};

async function addFiles(page: UploadPage, files: File[]): Promise<void> {
  showNotice(page, null);
  const items = files.map((file) => createItem(++page.picks, file, page.details.create()));
  for (const item of items) {
    page.queue.items.push(item);
    const row = queueRow(page.el.rowTemplate, item, {
      select: () => select(page, item),
      pause: () => page.queue.pause(item),
      resume: () => page.queue.enqueue(item),
      cancel: () => void cancel(page, item),
    });
    page.rows.set(item, row);
    page.el.queueList.append(row.element);
  }
  if (items[0]) select(page, items[0]);
  await Promise.all(
    items.map(async (item) => {
      await checkItem(item, page.queue.store);
      changed(page, item);
    }),
  );
}

/** Start every file that is ready (or stopped); a file uploaded earlier is only followed. */
function start(page: UploadPage): void {
  showNotice(page, null);
  for (const item of page.queue.items) {
    if (item.state === "ready" && item.submittedVideoId) {
      item.details.attach(item.submittedVideoId, true);
      item.state = "processing";
      changed(page, item);
    } else if (item.state === "ready" || item.state === "error") {
      page.queue.enqueue(item);
    }
  }
}

async function cancel(page: UploadPage, item: UploadItem): Promise<void> {
  const wasProcessing = item.state === "processing";
  const hadSession = item.videoId !== null;
  page.rows.get(item)?.element.remove();
  page.rows.delete(item);
  if (page.stage?.item === item) {
    page.stage.stage.stop();
    page.stage = null;
  }
  const cancelling = page.queue.cancel(item);
  if (page.selected === item) {
    page.el.root.dataset.state = "cancelled";
    select(page, page.queue.items[0] ?? null);
  }
  paintPage(page);
  if (wasProcessing) return;
  try {
    await cancelling;
    showNotice(
      page,
      hadSession ? `Upload of ${item.file.name} cancelled. Nothing was kept.` : "Upload cancelled.",
    );
  } catch (err) {
    showNotice(page, `Upload cancelled, but the server could not discard it. ${errorMessage(err)}`);
  }
}

function uploadAnother(page: UploadPage): void {
  select(page, null);
  page.el.fileInput.value = "";
  page.el.fileInput.focus();
}

export function mountUploadPage(root: HTMLElement): void {
  const el = uploadElements(root);
  const page: UploadPage = {
    el,
    progress: mountUploadProgress(root),
    details: mountUploadDetails(el.detailsForm, { api }),
    queue: undefined as unknown as UploadQueue,
    rows: new Map(),
    selected: null,
    stage: null,
    picks: 0,
  };
  page.queue = new UploadQueue(localResumeStore(), {
    onChange: (item) => changed(page, item),
    onPart: (item, part) => {
      if (item === page.selected) page.progress.onPart(part);
    },
    onStarted: (item) => {
      if (item === page.selected && item.layout)
        page.progress.reset(item.layout.partCount, item.layout.partSize, item.file.size, doneParts(item));
      changed(page, item);
    },
  });
  mountFilePicker({ input: el.fileInput, dropzone: el.dropzone, fieldset: el.fieldset }, (files) => {
    void addFiles(page, files);
  });
  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    start(page);
  });
  el.cancelButton.addEventListener("click", () => {
    if (page.selected) void cancel(page, page.selected);
  });
  el.uploadAnother.addEventListener("click", () => uploadAnother(page));
  paintPage(page);
}
