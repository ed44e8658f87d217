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

export function mountPosterSection(ctx: EditorContext): void {
  const form = ctx.part("poster-form", HTMLFormElement);
  const input = control(form, "poster", HTMLInputElement);
  const preview = ctx.part("poster-preview", HTMLImageElement);
  const submit = ctx.part("poster-submit", HTMLButtonElement);
  const status = ctx.part("poster-status");
  const errorBox = ctx.part("poster-error");
  let previewUrl: string | null = null;

  const setState = (state: PosterState) => {
    form.dataset.state = state;
    const busy = state === "uploading" || state === "processing";
    submit.disabled = busy || state !== "selected";
    input.disabled = busy;
  };
  const clearPreview = () => {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = null;
    preview.removeAttribute("src");
    preview.hidden = true;
  };
  const finish = (message: string) => {
    setStatus(status, message, "ok");
    form.reset();
    clearPreview();
    setState("done");
  };
  const fail = (message: string) => {
    setStatus(status, "");
    showError(errorBox, message);
    setState("error");
  };

  input.addEventListener("change", () => {
    showError(errorBox, null);
    setStatus(status, "");
    clearPreview();
    const file = input.files?.[0];
    if (!file) return setState("idle");
    const checked = checkPosterFile(file);
    if (!checked.ok) {
      showError(errorBox, checked.error);
      return setState("error");
    }
    previewUrl = URL.createObjectURL(file);
    preview.src = previewUrl;
    preview.hidden = false;
    setState("selected");
  });

  // The name says image, the bytes don't (or the browser can't read it): say so before uploading.
  preview.addEventListener("error", () => {
    if (!previewUrl) return;
    clearPreview();
    showError(errorBox, "That file isn't an image this browser can read. Choose a JPEG, PNG or WebP image.");
    setState("error");
  });

  /** Waits for the fleet's resized poster to become the video's `thumbnailUrl`. */
  const awaitResized = async (previous: string | null) => {
    setState("processing");
    setStatus(status, "Resizing your poster…");
    try {
      const fresh = await waitForNewPoster({
        getVideo: (signal) => api.getVideo(ctx.videoId, signal),
        previous,
        signal: ctx.lifetime,
      });
      ctx.renderVideo(fresh);
      finish("Poster updated.");
    } catch (err) {
      if (ctx.lifetime.aborted) return;
      fail(err instanceof PosterTimeoutError ? err.message : messageOf(err));
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = input.files?.[0];
    const latest = ctx.latest();
    if (!file || !latest) return;
    const checked = checkPosterFile(file);
    if (!checked.ok) return showError(errorBox, checked.error);
    showError(errorBox, null);
    setState("uploading");
    setStatus(status, "Uploading…");
    try {
      await api.putPoster(ctx.videoId, file, checked.contentType);
    } catch (err) {
      return fail(uploadFailure(err));
    }
    // thumbnailUrl only exists for streamable videos: nothing to wait for yet.
    if (!ctx.latest()?.playable)
      return finish("Poster uploaded. It shows once the video is ready to stream.");
    await awaitResized(latest.thumbnailUrl);
  });
}
