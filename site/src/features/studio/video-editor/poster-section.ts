/** The poster section: pick and preview an image, upload it, wait for the resized poster. */
import { ApiError, api } from "../../../lib/api.ts";
import { checkPosterFile, PosterTimeoutError, waitForNewPoster } from "../poster-upload.ts";
import { control, type EditorContext, messageOf, setStatus, showError } from "./editor-context.ts";

type PosterState = "idle" | "selected" | "uploading" | "processing" | "done" | "error";

function uploadFailure(err: unknown): string {
  if (err instanceof ApiError && err.status === 413) return "Posters can be at most 10 MiB.";
  if (err instanceof ApiError && err.status === 415) return "That isn't a JPEG, PNG or WebP image.";
  return `Upload failed: ${messageOf(err)}`;
}

/** The section's elements, and the object URL of the image being previewed. */
interface PosterSection {
  readonly ctx: EditorContext;
  readonly form: HTMLFormElement;
  readonly input: HTMLInputElement;
  readonly preview: HTMLImageElement;
  readonly submit: HTMLButtonElement;
  readonly status: HTMLElement;
  readonly errorBox: HTMLElement;
  previewUrl: string | null;
}

export function mountPosterSection(ctx: EditorContext): void {
  const form = ctx.part("poster-form", HTMLFormElement);
  const section: PosterSection = {
    ctx,
    form,
    input: control(form, "poster", HTMLInputElement),
    preview: ctx.part("poster-preview", HTMLImageElement),
    submit: ctx.part("poster-submit", HTMLButtonElement),
    status: ctx.part("poster-status"),
    errorBox: ctx.part("poster-error"),
    previewUrl: null,
  };
  section.input.addEventListener("change", () => pick(section));
  // The name says image, the bytes don't (or the browser can't read it): say so before uploading.
  section.preview.addEventListener("error", () => {
    if (!section.previewUrl) return;
    clearPreview(section);
    showError(
      section.errorBox,
      "That file isn't an image this browser can read. Choose a JPEG, PNG or WebP image.",
    );
    setState(section, "error");
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void upload(section);
  });
}

function setState({ form, submit, input }: PosterSection, state: PosterState) {
  form.dataset.state = state;
  const busy = state === "uploading" || state === "processing";
  submit.disabled = busy || state !== "selected";
  input.disabled = busy;
}

function clearPreview(section: PosterSection) {
  if (section.previewUrl) URL.revokeObjectURL(section.previewUrl);
  section.previewUrl = null;
  section.preview.removeAttribute("src");
  section.preview.hidden = true;
}

function finish(section: PosterSection, message: string) {
  setStatus(section.status, message, "ok");
  section.form.reset();
  clearPreview(section);
  setState(section, "done");
}

function fail(section: PosterSection, message: string) {
  setStatus(section.status, "");
  showError(section.errorBox, message);
  setState(section, "error");
}

function pick(section: PosterSection) {
  const { input, preview, errorBox } = section;
  showError(errorBox, null);
  setStatus(section.status, "");
  clearPreview(section);
  const file = input.files?.[0];
  if (!file) return setState(section, "idle");
  const checked = checkPosterFile(file);
  if (!checked.ok) {
    showError(errorBox, checked.error);
    return setState(section, "error");
  }
  section.previewUrl = URL.createObjectURL(file);
  preview.src = section.previewUrl;
  preview.hidden = false;
  setState(section, "selected");
}

async function upload(section: PosterSection) {
  const { ctx, input, errorBox } = section;
  const file = input.files?.[0];
  const latest = ctx.latest();
  if (!file || !latest) return;
  const checked = checkPosterFile(file);
  if (!checked.ok) return showError(errorBox, checked.error);
  showError(errorBox, null);
  setState(section, "uploading");
  setStatus(section.status, "Uploading…");
  try {
    await api.putPoster(ctx.videoId, file, checked.contentType);
  } catch (err) {
    return fail(section, uploadFailure(err));
  }
  // thumbnailUrl only exists for streamable videos: nothing to wait for yet.
  if (!ctx.latest()?.playable)
    return finish(section, "Poster uploaded. It shows once the video is ready to stream.");
  await awaitResized(section, latest.thumbnailUrl);
}

/** Waits for the fleet's resized poster to become the video's `thumbnailUrl`. */
async function awaitResized(section: PosterSection, previous: string | null) {
  const { ctx } = section;
  setState(section, "processing");
  setStatus(section.status, "Resizing your poster…");
  try {
    const fresh = await waitForNewPoster({
      getVideo: (signal) => api.getVideo(ctx.videoId, signal),
      previous,
      signal: ctx.lifetime,
    });
    ctx.renderVideo(fresh);
    finish(section, "Poster updated.");
  } catch (err) {
    if (ctx.lifetime.aborted) return;
    fail(section, err instanceof PosterTimeoutError ? err.message : messageOf(err));
  }
}
