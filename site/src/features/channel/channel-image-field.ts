/**
 * One image field of the channel editor (avatar or banner): pick a file → preview it at
 * once → upload with a progress bar → "Processing…" while the fleet renders the sizes →
 * the rendered image from the channel, or the reason it failed.
 */
import { api, type ChannelImageKind, currentAccessToken, type MyChannelResponse } from "../../lib/api.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import {
  checkChannelImage,
  putWithProgress,
  uploadErrorMessage,
  waitForRendered,
} from "./channel-image-upload.ts";

type FieldState = "idle" | "uploading" | "processing" | "done" | "error";

interface ImageField {
  readonly kind: ChannelImageKind;
  readonly root: HTMLElement;
  readonly input: HTMLInputElement;
  readonly preview: HTMLImageElement;
  readonly progress: HTMLElement;
  readonly fill: HTMLElement;
  readonly status: HTMLElement;
  previewUrl: string | null;
  /** The image the channel shows now: the preview goes back to it when an upload fails. */
  rendered: string | null;
}

/** The rendered image the channel shows for `kind` (the largest of its set suits the preview). */
export function renderedUrl(mine: MyChannelResponse, kind: ChannelImageKind): string | null {
  return kind === "avatar" ? mine.channel.avatarUrl : mine.channel.bannerUrl;
}

function setState(field: ImageField, state: FieldState, message = "", tone: "ok" | "error" | "" = "") {
  field.root.dataset.state = state;
  field.input.disabled = state === "uploading" || state === "processing";
  field.progress.hidden = state !== "uploading" && state !== "processing";
  field.progress.classList.toggle("is-indeterminate", state === "processing");
  field.status.textContent = message;
  field.status.dataset.tone = tone;
}

function showPreview(field: ImageField, url: string | null) {
  if (field.previewUrl) URL.revokeObjectURL(field.previewUrl);
  field.previewUrl = null;
  field.preview.hidden = !url;
  if (url) field.preview.src = url;
  else field.preview.removeAttribute("src");
}

export function showRendered(field: ImageField, mine: MyChannelResponse): void {
  field.rendered = renderedUrl(mine, field.kind);
  showPreview(field, field.rendered);
  const state = mine[field.kind];
  if (state.pending) setState(field, "processing", "Processing your last upload…");
  else if (state.failure)
    setState(field, "error", `The last upload couldn't be used: ${state.failure}`, "error");
}

async function upload(field: ImageField, file: File, onDone: (mine: MyChannelResponse) => void) {
  const check = checkChannelImage(file);
  if (!check.ok) return setState(field, "error", check.error, "error");
  if (field.previewUrl) URL.revokeObjectURL(field.previewUrl);
  field.previewUrl = URL.createObjectURL(file);
  field.preview.src = field.previewUrl;
  field.preview.hidden = false;
  setState(field, "uploading", "Uploading… 0%");
  try {
    await api.myChannel(); // refreshes an expired access token before the XHR needs it
    await putWithProgress({
      path: api.channelImagePath(field.kind),
      body: file,
      contentType: check.contentType,
      token: await currentAccessToken(),
      onProgress: (f) => {
        field.fill.style.width = `${Math.round(f * 100)}%`;
        field.status.textContent = `Uploading… ${Math.round(f * 100)}%`;
      },
    });
    setState(field, "processing", "Processing… making every size your channel needs.");
    const mine = await waitForRendered(field.kind, () => api.myChannel());
    showRendered(field, mine);
    if (!mine[field.kind].failure) setState(field, "done", "Saved. Your channel shows the new image.", "ok");
    onDone(mine);
  } catch (err) {
    showPreview(field, field.rendered);
    setState(field, "error", uploadErrorMessage(err), "error");
  }
}

export function mountImageField(root: HTMLElement, onDone: (mine: MyChannelResponse) => void): ImageField {
  const $ = elementsOf(root, "channel image field");
  const field: ImageField = {
    kind: root.dataset.kind as ChannelImageKind,
    root,
    input: $(role("file"), HTMLInputElement),
    preview: $(role("preview"), HTMLImageElement),
    progress: $(role("progress")),
    fill: $(role("progress-fill")),
    status: $(role("status")),
    previewUrl: null,
    rendered: null,
  };
  field.input.addEventListener("change", () => {
    const file = field.input.files?.[0];
    field.input.value = "";
    if (file) void upload(field, file, onDone);
  });
  return field;
}
