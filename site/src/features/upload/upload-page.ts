/**
 * The upload page (`/upload`): file picking and drag-and-drop (`file-picker.ts`), resume
 * detection, the part upload with live progress (`upload-progress-view.ts`), cancel,
 * completion, and handing over to the video stage that follows the transcode. `data-state`
 * on the page root mirrors the phase:
 * idle → checking → selected → uploading → completing → processing, or error / cancelled.
 */
import { backoffDelay } from "@streamline/contracts";
import {
  ApiError,
  api,
  type UploadStateResponse,
  type ValidationIssue,
  type VideoDto,
} from "../../lib/api.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { formatBytes, formatPercent } from "../../lib/format.ts";
import { explainEmailUnverified, isEmailUnverified } from "../email/resend-verification.ts";
import { mountVideoStage, type VideoStage } from "../watch/video-stage.ts";
import { mountFilePicker } from "./file-picker.ts";
import { abortableSleep, PART_RETRY_BACKOFF, PartUploadError, uploadParts } from "./multipart-upload.ts";
import { mountUploadDetails, type UploadDetails } from "./upload-details.ts";
import { mountUploadProgress, type UploadProgressView } from "./upload-progress-view.ts";
import { checkResume, fileKeyOf, localResumeStore, openUpload, type ResumeStore } from "./upload-session.ts";
import { xhrPartTransport } from "./xhr-part-transport.ts";

export type UploadPageState =
  | "idle"
  | "checking"
  | "selected"
  | "uploading"
  | "completing"
  | "processing"
  | "error"
  | "cancelled";

const PARALLEL_PARTS = 4;
const PART_RETRIES = 3;

/** The API's terse messages ("text/plain is not a video type") as a sentence for people. */
function errorMessage(err: unknown): string {
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
    dropTitle: $(role("drop-title")),
    fileSummary: $(role("file-summary")),
    fileName: $(role("file-name")),
    fileSize: $(role("file-size")),
    resumeNote: $(role("resume-note")),
    titleInput: $(role("title-input"), HTMLInputElement),
    detailsForm: $(role("details-form"), HTMLFormElement),
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

/** The page: its elements, the progress panel, and what the person has picked and started. */
interface UploadPage {
  el: ReturnType<typeof uploadElements>;
  progress: UploadProgressView;
  /** Title and metadata: sent with the creation, then saved as they change. */
  details: UploadDetails;
  store: ResumeStore;
  file: File | null;
  resumeState: UploadStateResponse | null;
  submittedVideoId: string | null;
  run: AbortController | null;
  activeVideoId: string | null;
  stage: VideoStage | null;
  /** Bumped per pick, so a slow resume check for an older pick is ignored. */
  selection: number;
}

function setState(page: UploadPage, state: UploadPageState): void {
  const { el } = page;
  el.root.dataset.state = state;
  const busy = state === "uploading" || state === "completing" || state === "checking";
  el.fieldset.disabled = state === "uploading" || state === "completing";
  el.startButton.disabled = busy || !page.file || state === "processing";
  el.form.hidden = state === "processing";
}

function showError(page: UploadPage, message: string | null): void {
  page.el.errorText.textContent = message ?? "";
  page.el.errorBox.hidden = !message;
}

function showNotice(page: UploadPage, message: string | null): void {
  page.el.noticeBox.textContent = message ?? "";
  page.el.noticeBox.hidden = !message;
}

/** Asks the edge whether this file was started (resume) or already sent (show its progress). */
async function checkPicked(page: UploadPage, picked: File, token: number): Promise<void> {
  const { el } = page;
  try {
    const check = await checkResume(picked, { api, store: page.store });
    if (token !== page.selection) return;
    if (check.kind === "resumable") {
      page.resumeState = check.state;
      const percent = formatPercent(check.state.uploadedBytes / check.state.size);
      el.resumeNote.textContent = `You started uploading this file earlier: ${formatBytes(check.state.uploadedBytes)} (${percent}) is already there. Only the rest will be sent.`;
      el.resumeNote.hidden = false;
      el.startLabel.textContent = "Resume upload";
    } else if (check.kind === "submitted") {
      page.submittedVideoId = check.videoId;
      el.resumeNote.textContent = "This file was already uploaded. Continue to follow its processing.";
      el.resumeNote.hidden = false;
      el.startLabel.textContent = "Show progress";
    }
  } catch (err) {
    if (token !== page.selection) return;
    // Can't tell whether it is resumable: uploading afresh is still possible.
    console.warn("resume check failed", err);
  }
  setState(page, "selected");
}

async function selectFile(page: UploadPage, picked: File | null): Promise<void> {
  const { el } = page;
  const token = ++page.selection;
  Object.assign(page, { file: picked, resumeState: null, submittedVideoId: null });
  showError(page, null);
  showNotice(page, null);
  el.resumeNote.hidden = true;
  el.startLabel.textContent = "Upload";
  if (!picked) {
    el.fileSummary.hidden = true;
    el.dropTitle.textContent = "Drop a video here, or browse";
    return setState(page, "idle");
  }
  el.fileSummary.hidden = false;
  el.fileName.textContent = picked.name;
  el.fileSize.textContent = formatBytes(picked.size);
  el.dropTitle.textContent = "Drop another file to replace it";
  if (picked.size === 0) {
    showError(page, "That file is empty.");
    page.file = null;
    return setState(page, "error");
  }
  setState(page, "checking");
  await checkPicked(page, picked, token);
}

function followVideo(page: UploadPage, videoId: string, initial?: VideoDto): void {
  const { el } = page;
  setState(page, "processing");
  el.progressPanel.hidden = true;
  el.transcodePanel.hidden = false;
  el.watchLink.href = `/watch/${encodeURIComponent(videoId)}`;
  el.transcodeTitle.textContent = initial?.title ?? "Processing";
  page.stage?.stop();
  page.stage = mountVideoStage(el.stageRoot, videoId, {
    ...(initial ? { initial } : {}),
    onVideo(video) {
      el.transcodeTitle.textContent = video.title;
    },
  });
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

const warnBeforeLeaving = (event: BeforeUnloadEvent) => {
  event.preventDefault();
};

/** Opens (or resumes) the upload, sends the parts, completes, then follows the transcode. */
async function sendFile(page: UploadPage, file: File, signal: AbortSignal): Promise<void> {
  const { el } = page;
  const opened = await openUpload(file, {
    api,
    store: page.store,
    title: page.details.title(),
    metadata: page.details.createFields(),
    resume: page.resumeState ?? undefined,
    signal,
  });
  const { target } = opened;
  page.activeVideoId = target.videoId;
  el.root.dataset.videoId = target.videoId;
  page.details.attach(target.videoId, opened.resumed);
  el.progressTitle.textContent = opened.resumed ? "Resuming upload" : "Uploading";
  el.progressFile.textContent = `${file.name} · ${formatBytes(file.size)}`;
  page.progress.reset(target.partCount, target.partSize, file.size, target.doneParts ?? []);
  el.progressPanel.hidden = false;

  await uploadParts(target, {
    api,
    transport: xhrPartTransport,
    concurrency: PARALLEL_PARTS,
    maxRetries: PART_RETRIES,
    signal,
    onPart: page.progress.onPart,
    onProgress: page.progress.onProgress,
  });

  setState(page, "completing");
  el.progressTitle.textContent = "Finishing upload";
  el.cancelButton.disabled = true;
  const video = await complete(target.videoId, signal);
  page.store.remove(opened.fileKey);
  page.resumeState = null;
  followVideo(page, video.id, video);
}

/** The upload stopped: say why, and ask the edge what it has so a retry sends only the rest. */
function uploadStopped(page: UploadPage, file: File, err: unknown): void {
  const { el } = page;
  const resumable = page.activeVideoId !== null && !(err instanceof ApiError && err.status === 409);
  const message =
    err instanceof PartUploadError && resumable
      ? `${err.message}. Press “Resume upload” to send the remaining parts.`
      : errorMessage(err);
  showError(page, message);
  // REQUIRE_EMAIL_VERIFICATION: say so in words, with the resend action.
  if (isEmailUnverified(err)) explainEmailUnverified(el.errorText);
  setState(page, "error");
  el.startLabel.textContent = "Upload";
  el.progressTitle.textContent = "Upload stopped";
  // Nothing was created (rejected file): no progress to show, nothing to discard.
  el.progressPanel.hidden = page.activeVideoId === null;
  el.cancelLabel.textContent = "Discard upload";
  if (resumable && page.file === file) {
    void selectFile(page, file).then(() => {
      if (page.file !== file) return;
      showError(page, message);
      setState(page, "error");
    });
  }
}

async function start(page: UploadPage): Promise<void> {
  const { el, file } = page;
  if (!file) return;
  if (page.submittedVideoId) {
    page.details.attach(page.submittedVideoId, true);
    return followVideo(page, page.submittedVideoId);
  }
  const controller = new AbortController();
  Object.assign(page, { run: controller, activeVideoId: null });
  showError(page, null);
  showNotice(page, null);
  setState(page, "uploading");
  el.progressPanel.hidden = true;
  el.transcodePanel.hidden = true;
  el.startLabel.textContent = "Starting…";
  el.cancelButton.disabled = false;
  el.cancelLabel.textContent = "Cancel";
  window.addEventListener("beforeunload", warnBeforeLeaving);
  try {
    await sendFile(page, file, controller.signal);
  } catch (err) {
    if (!controller.signal.aborted) uploadStopped(page, file, err); // else cancel() owns the UI
  } finally {
    if (page.run === controller) page.run = null;
    window.removeEventListener("beforeunload", warnBeforeLeaving);
  }
}

/** Cancel a running upload, or discard one that stopped with an error. */
async function cancel(page: UploadPage): Promise<void> {
  const { el } = page;
  const videoId = page.activeVideoId;
  if (!page.run && !videoId) return;
  page.run?.abort(new DOMException("Upload cancelled", "AbortError"));
  page.details.detach();
  Object.assign(page, { run: null, activeVideoId: null, resumeState: null });
  el.cancelButton.disabled = true;
  if (page.file) page.store.remove(fileKeyOf(page.file));
  el.resumeNote.hidden = true;
  el.startLabel.textContent = "Upload";
  el.progressPanel.hidden = true;
  showError(page, null);
  setState(page, "cancelled");
  if (!videoId) return showNotice(page, "Upload cancelled.");
  try {
    await api.abortUpload(videoId);
    showNotice(page, "Upload cancelled. Nothing was kept.");
  } catch (err) {
    showError(page, `Upload cancelled, but the server could not discard it. ${errorMessage(err)}`);
  }
}

function uploadAnother(page: UploadPage): void {
  const { el } = page;
  page.stage?.stop();
  page.stage = null;
  el.transcodePanel.hidden = true;
  el.stageRoot.hidden = true;
  el.progressPanel.hidden = true;
  el.fileInput.value = "";
  page.details.reset();
  delete el.root.dataset.videoId;
  void selectFile(page, null);
  el.fileInput.focus();
}

export function mountUploadPage(root: HTMLElement): void {
  const el = uploadElements(root);
  const page: UploadPage = {
    el,
    progress: mountUploadProgress(root),
    details: mountUploadDetails(el.detailsForm, { api }),
    store: localResumeStore(),
    file: null,
    resumeState: null,
    submittedVideoId: null,
    run: null,
    activeVideoId: null,
    stage: null,
    selection: 0,
  };
  mountFilePicker({ input: el.fileInput, dropzone: el.dropzone, fieldset: el.fieldset }, (file) => {
    void selectFile(page, file);
  });
  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    void start(page);
  });
  el.cancelButton.addEventListener("click", () => void cancel(page));
  el.uploadAnother.addEventListener("click", () => uploadAnother(page));
  setState(page, "idle");
}
