/**
 * The upload page's behaviour: file picking and drag-and-drop, resume detection, the part
 * upload with live progress, cancel, completion, and handing over to the video stage that
 * follows the transcode. `data-state` on the page root mirrors the phase:
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
import { formatBytes, formatEta, formatPercent, formatRate } from "../../lib/format.ts";
import { mountVideoStage, type VideoStage } from "../watch/video-stage.ts";
import {
  abortableSleep,
  PART_RETRY_BACKOFF,
  type PartStatus,
  PartUploadError,
  type UploadProgress,
  uploadParts,
} from "./multipart-upload.ts";
import { checkResume, fileKeyOf, localResumeStore, openUpload } from "./upload-session.ts";
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
/** Beyond this many parts the grid drops the numbers and shows small squares. */
const DENSE_PART_GRID = 120;

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

export function mountUploadPage(root: HTMLElement): void {
  const store = localResumeStore();
  const $ = elementsOf(root, "upload page");
  const form = $(role("form"), HTMLFormElement);
  const fieldset = $(role("fieldset"), HTMLFieldSetElement);
  const fileInput = $(role("file-input"), HTMLInputElement);
  const dropzone = $(role("dropzone"));
  const dropTitle = $(role("drop-title"));
  const fileSummary = $(role("file-summary"));
  const fileName = $(role("file-name"));
  const fileSize = $(role("file-size"));
  const resumeNote = $(role("resume-note"));
  const titleInput = $(role("title-input"), HTMLInputElement);
  const startButton = $(role("start"), HTMLButtonElement);
  const startLabel = $(role("start-label"));
  const errorBox = $(role("error"));
  const errorText = $(role("error-message"));
  const noticeBox = $(role("notice"));
  const progressPanel = $(role("progress-panel"));
  const progressTitle = $(role("progress-title"));
  const progressFile = $(role("progress-file"));
  const bar = $(role("bar"));
  const barFill = $(role("bar-fill"));
  const percentText = $(role("percent"));
  const bytesText = $(role("bytes"));
  const speedText = $(role("speed"));
  const etaText = $(role("eta"));
  const partsSummary = $(role("parts-summary"));
  const partGrid = $(role("part-grid"), HTMLOListElement);
  const activePartsList = $(role("active-parts"), HTMLUListElement);
  const cancelButton = $(role("cancel"), HTMLButtonElement);
  const cancelLabel = $(role("cancel-label"));
  const transcodePanel = $(role("transcode-panel"));
  const transcodeTitle = $(role("transcode-title"));
  const watchLink = $(role("watch-link"), HTMLAnchorElement);
  const uploadAnother = $(role("upload-another"), HTMLButtonElement);
  const stageRoot = $('[data-testid="player-wrapper"]');

  let file: File | null = null;
  let resumeState: UploadStateResponse | null = null;
  let submittedVideoId: string | null = null;
  let run: AbortController | null = null;
  let activeVideoId: string | null = null;
  let stage: VideoStage | null = null;
  let selection = 0;

  const setState = (state: UploadPageState) => {
    root.dataset.state = state;
    const busy = state === "uploading" || state === "completing" || state === "checking";
    fieldset.disabled = state === "uploading" || state === "completing";
    startButton.disabled = busy || !file || state === "processing";
    form.hidden = state === "processing";
  };

  const showError = (message: string | null) => {
    errorText.textContent = message ?? "";
    errorBox.hidden = !message;
  };
  const showNotice = (message: string | null) => {
    noticeBox.textContent = message ?? "";
    noticeBox.hidden = !message;
  };

  // ---- file selection -------------------------------------------------------------------

  const selectFile = async (picked: File | null) => {
    const token = ++selection;
    file = picked;
    resumeState = null;
    submittedVideoId = null;
    showError(null);
    showNotice(null);
    resumeNote.hidden = true;
    startLabel.textContent = "Upload";
    if (!picked) {
      fileSummary.hidden = true;
      dropTitle.textContent = "Drop a video here, or browse";
      setState("idle");
      return;
    }
    fileSummary.hidden = false;
    fileName.textContent = picked.name;
    fileSize.textContent = formatBytes(picked.size);
    dropTitle.textContent = "Drop another file to replace it";
    if (picked.size === 0) {
      showError("That file is empty.");
      file = null;
      setState("error");
      return;
    }

    setState("checking");
    try {
      const check = await checkResume(picked, { api, store });
      if (token !== selection) return;
      if (check.kind === "resumable") {
        resumeState = check.state;
        const percent = formatPercent(check.state.uploadedBytes / check.state.size);
        resumeNote.textContent = `You started uploading this file earlier: ${formatBytes(check.state.uploadedBytes)} (${percent}) is already there. Only the rest will be sent.`;
        resumeNote.hidden = false;
        startLabel.textContent = "Resume upload";
      } else if (check.kind === "submitted") {
        submittedVideoId = check.videoId;
        resumeNote.textContent = "This file was already uploaded. Continue to follow its processing.";
        resumeNote.hidden = false;
        startLabel.textContent = "Show progress";
      }
    } catch (err) {
      if (token !== selection) return;
      // Can't tell whether it is resumable: uploading afresh is still possible.
      console.warn("resume check failed", err);
    }
    setState("selected");
  };

  fileInput.addEventListener("change", () => void selectFile(fileInput.files?.[0] ?? null));

  // Keep a missed drop from navigating away to the file.
  for (const type of ["dragover", "drop"] as const) {
    window.addEventListener(type, (event) => event.preventDefault());
  }
  dropzone.addEventListener("dragenter", (event) => {
    event.preventDefault();
    if (!fieldset.disabled) dropzone.classList.add("is-dragging");
  });
  dropzone.addEventListener("dragover", (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = fieldset.disabled ? "none" : "copy";
  });
  dropzone.addEventListener("dragleave", (event) => {
    if (!dropzone.contains(event.relatedTarget as Node | null)) dropzone.classList.remove("is-dragging");
  });
  dropzone.addEventListener("drop", (event) => {
    event.preventDefault();
    dropzone.classList.remove("is-dragging");
    if (fieldset.disabled) return;
    const dropped = event.dataTransfer?.files?.[0] ?? null;
    if (dropped) void selectFile(dropped);
  });

  // ---- progress rendering ---------------------------------------------------------------

  let cells: HTMLLIElement[] = [];
  const partStates = new Map<number, PartStatus["state"]>();
  let pendingProgress: UploadProgress | null = null;
  let frame = 0;

  const renderParts = (partCount: number, partSize: number, size: number, done: Iterable<number>) => {
    const doneSet = new Set(done);
    partGrid.classList.toggle("is-dense", partCount > DENSE_PART_GRID);
    partStates.clear();
    activeParts.clear();
    activePartsList.replaceChildren();
    activePartsList.hidden = true;
    cells = Array.from({ length: partCount }, (_, i) => {
      const n = i + 1;
      const li = document.createElement("li");
      li.className = "part";
      li.dataset.testid = "part";
      li.dataset.partNumber = String(n);
      const state = doneSet.has(n) ? "done" : "pending";
      li.dataset.state = state;
      partStates.set(n, state);
      const bytes = Math.min(partSize, size - i * partSize);
      li.title = `Part ${n} · ${formatBytes(bytes)}`;
      const fill = document.createElement("span");
      fill.className = "part-fill";
      const label = document.createElement("span");
      label.className = "part-label";
      label.textContent = String(n);
      li.append(fill, label);
      return li;
    });
    partGrid.replaceChildren(...cells);
    renderPartsSummary();
  };

  const renderPartsSummary = () => {
    const counts = { pending: 0, uploading: 0, retrying: 0, done: 0, failed: 0 };
    for (const state of partStates.values()) counts[state]++;
    const bits = [`${counts.done} of ${partStates.size} done`];
    if (counts.uploading) bits.push(`${counts.uploading} uploading`);
    if (counts.retrying) bits.push(`${counts.retrying} retrying`);
    if (counts.failed) bits.push(`${counts.failed} failed`);
    partsSummary.textContent = bits.join(" · ");
  };

  /** Parts being sent or waiting to be retried, for the per-part speed/ETA lines. */
  const activeParts = new Map<number, Readonly<PartStatus>>();

  const describeActivePart = (part: Readonly<PartStatus>): string => {
    if (part.state === "retrying")
      return `retrying (attempt ${part.attempt + 1})${part.error ? `: ${part.error}` : ""}`;
    return [
      `${formatBytes(part.loaded)} of ${formatBytes(part.size)}`,
      formatRate(part.bytesPerSecond),
      formatEta(part.etaSec),
    ]
      .filter((bit) => bit && bit !== "—")
      .join(" · ");
  };

  const paintActiveParts = () => {
    const existing = new Map<string, HTMLLIElement>();
    for (const li of activePartsList.querySelectorAll<HTMLLIElement>(":scope > li")) {
      existing.set(li.dataset.partNumber ?? "", li);
    }
    const rows = [...activeParts.values()]
      .sort((a, b) => a.partNumber - b.partNumber)
      .map((part) => {
        const key = String(part.partNumber);
        let li = existing.get(key);
        existing.delete(key);
        if (!li) {
          li = document.createElement("li");
          li.dataset.testid = "active-part";
          li.dataset.partNumber = key;
          li.innerHTML = '<span class="active-part-name"></span><span class="active-part-detail"></span>';
        }
        li.dataset.state = part.state;
        li.firstElementChild!.textContent = `Part ${part.partNumber}`;
        li.lastElementChild!.textContent = describeActivePart(part);
        return li;
      });
    for (const stale of existing.values()) stale.remove();
    if (rows.some((li, i) => activePartsList.children[i] !== li)) activePartsList.replaceChildren(...rows);
    activePartsList.hidden = rows.length === 0;
  };

  const onPart = (part: Readonly<PartStatus>) => {
    const cell = cells[part.partNumber - 1];
    if (!cell) return;
    cell.dataset.state = part.state;
    cell.dataset.attempt = String(part.attempt);
    const fill = cell.firstElementChild as HTMLElement;
    fill.style.setProperty("--p", part.state === "uploading" ? `${(part.loaded / part.size) * 100}%` : "0%");
    cell.title = `Part ${part.partNumber} · ${formatBytes(part.size)} · ${part.state}${part.error ? ` (${part.error})` : ""}`;
    if (partStates.get(part.partNumber) !== part.state) {
      partStates.set(part.partNumber, part.state);
      renderPartsSummary();
    }
    if (part.state === "uploading" || part.state === "retrying") activeParts.set(part.partNumber, part);
    else activeParts.delete(part.partNumber);
    if (!frame) frame = requestAnimationFrame(paintProgress);
  };

  const paintProgress = () => {
    frame = 0;
    paintActiveParts();
    const p = pendingProgress;
    if (!p) return;
    const fraction = p.totalBytes ? p.uploadedBytes / p.totalBytes : 0;
    barFill.style.width = `${fraction * 100}%`;
    bar.setAttribute("aria-valuenow", String(Math.floor(fraction * 100)));
    percentText.textContent = formatPercent(fraction);
    bytesText.textContent = `${formatBytes(p.uploadedBytes)} of ${formatBytes(p.totalBytes)}`;
    speedText.textContent = formatRate(p.bytesPerSecond);
    etaText.textContent = formatEta(p.etaSec) || "—";
  };

  const onProgress = (progress: UploadProgress) => {
    pendingProgress = progress;
    // Progress events arrive many times per frame across four parts: paint once per frame.
    if (!frame) frame = requestAnimationFrame(paintProgress);
  };

  // ---- upload ----------------------------------------------------------------------------

  const warnBeforeLeaving = (event: BeforeUnloadEvent) => {
    event.preventDefault();
  };

  const followVideo = (videoId: string, initial?: VideoDto) => {
    setState("processing");
    progressPanel.hidden = true;
    transcodePanel.hidden = false;
    watchLink.href = `/watch/${encodeURIComponent(videoId)}`;
    transcodeTitle.textContent = initial?.title ?? "Processing";
    stage?.stop();
    stage = mountVideoStage(stageRoot, videoId, {
      ...(initial ? { initial } : {}),
      onVideo(video) {
        transcodeTitle.textContent = video.title;
      },
    });
  };

  /** Complete, retrying answers that might succeed next time (network, 5xx, 429). */
  const complete = async (videoId: string, signal: AbortSignal): Promise<VideoDto> => {
    for (let retry = 0; ; retry++) {
      try {
        return await api.completeUpload(videoId, signal);
      } catch (err) {
        if (!(err instanceof ApiError) || !err.retryable || retry >= PART_RETRIES) throw err;
        await abortableSleep(backoffDelay(retry, PART_RETRY_BACKOFF), signal);
      }
    }
  };

  const start = async () => {
    if (!file) return;
    if (submittedVideoId) {
      followVideo(submittedVideoId);
      return;
    }
    const current = file;
    const controller = new AbortController();
    run = controller;
    activeVideoId = null;
    showError(null);
    showNotice(null);
    setState("uploading");
    progressPanel.hidden = true;
    transcodePanel.hidden = true;
    startLabel.textContent = "Starting…";
    cancelButton.disabled = false;
    cancelLabel.textContent = "Cancel";
    window.addEventListener("beforeunload", warnBeforeLeaving);

    try {
      const opened = await openUpload(current, {
        api,
        store,
        title: titleInput.value,
        resume: resumeState ?? undefined,
        signal: controller.signal,
      });
      activeVideoId = opened.target.videoId;
      root.dataset.videoId = activeVideoId;
      progressTitle.textContent = opened.resumed ? "Resuming upload" : "Uploading";
      progressFile.textContent = `${current.name} · ${formatBytes(current.size)}`;
      pendingProgress = null;
      barFill.style.width = "0%";
      progressPanel.hidden = false;
      renderParts(
        opened.target.partCount,
        opened.target.partSize,
        current.size,
        opened.target.doneParts ?? [],
      );

      await uploadParts(opened.target, {
        api,
        transport: xhrPartTransport,
        concurrency: PARALLEL_PARTS,
        maxRetries: PART_RETRIES,
        signal: controller.signal,
        onPart,
        onProgress,
      });

      setState("completing");
      progressTitle.textContent = "Finishing upload";
      cancelButton.disabled = true;
      const video = await complete(opened.target.videoId, controller.signal);
      store.remove(opened.fileKey);
      resumeState = null;
      followVideo(video.id, video);
    } catch (err) {
      if (controller.signal.aborted) return; // cancel() owns the UI from here.
      const resumable = activeVideoId !== null && !(err instanceof ApiError && err.status === 409);
      const message =
        err instanceof PartUploadError && resumable
          ? `${err.message}. Press “Resume upload” to send the remaining parts.`
          : errorMessage(err);
      showError(message);
      setState("error");
      startLabel.textContent = "Upload";
      progressTitle.textContent = "Upload stopped";
      // Nothing was created (rejected file): no progress to show, nothing to discard.
      progressPanel.hidden = activeVideoId === null;
      cancelLabel.textContent = "Discard upload";
      if (resumable && file === current) {
        // Ask the edge what it has, so a retry only sends the missing parts.
        void selectFile(current).then(() => {
          if (file !== current) return;
          showError(message);
          setState("error");
        });
      }
    } finally {
      if (run === controller) run = null;
      window.removeEventListener("beforeunload", warnBeforeLeaving);
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void start();
  });

  // Cancel a running upload, or discard one that stopped with an error.
  cancelButton.addEventListener("click", async () => {
    const videoId = activeVideoId;
    if (!run && !videoId) return;
    run?.abort(new DOMException("Upload cancelled", "AbortError"));
    run = null;
    activeVideoId = null;
    cancelButton.disabled = true;
    if (file) store.remove(fileKeyOf(file));
    resumeState = null;
    resumeNote.hidden = true;
    startLabel.textContent = "Upload";
    progressPanel.hidden = true;
    showError(null);
    setState("cancelled");
    if (!videoId) {
      showNotice("Upload cancelled.");
      return;
    }
    try {
      await api.abortUpload(videoId);
      showNotice("Upload cancelled. Nothing was kept.");
    } catch (err) {
      showError(`Upload cancelled, but the server could not discard it. ${errorMessage(err)}`);
    }
  });

  uploadAnother.addEventListener("click", () => {
    stage?.stop();
    stage = null;
    transcodePanel.hidden = true;
    stageRoot.hidden = true;
    progressPanel.hidden = true;
    fileInput.value = "";
    titleInput.value = "";
    delete root.dataset.videoId;
    void selectFile(null);
    fileInput.focus();
  });

  setState("idle");
}
