/**
 * The details section: title plus the shared metadata fields (description, tags, category,
 * visibility, scheduled publish: `lib/metadata-form.ts`), saved with a PATCH of what changed.
 */
import { ApiError, api, type UpdateVideoRequest, type VideoDto } from "../../../lib/api.ts";
import { metadataOf, metadataPatch, mountMetadataFields } from "../../../lib/metadata-form.ts";
import { fieldErrors } from "../studio-model.ts";
import {
  control,
  type EditorContext,
  focusFirstInvalid,
  messageOf,
  setFieldError,
  setStatus,
} from "./editor-context.ts";

const DETAIL_FIELDS = ["title", "description", "tags", "category", "visibility", "publishAt"] as const;

export interface DetailsSection {
  fill(video: VideoDto): void;
}

/** `tags.3` → `tags`: an issue about one tag is shown beside the tags. */
const byField = (issues: readonly unknown[] | undefined) =>
  (issues ?? []).map((raw) => {
    const issue = raw as { path?: unknown };
    return typeof issue.path === "string" ? { ...issue, path: issue.path.split(".")[0] } : issue;
  });

export function mountDetailsForm(ctx: EditorContext): DetailsSection {
  const form = ctx.part("details-form", HTMLFormElement);
  const status = ctx.part("details-status");
  const save = ctx.part("save", HTMLButtonElement);
  const title = control(form, "title", HTMLInputElement);
  const fields = mountMetadataFields(form, () => setStatus(status, ""));

  const fill = (video: VideoDto) => {
    title.value = video.title;
    fields.fill(metadataOf(video));
  };

  const patchOf = (latest: VideoDto): UpdateVideoRequest | null => {
    // The API trims titles: compare trimmed, but send what was typed so its validation speaks.
    const patch: UpdateVideoRequest = {
      ...(title.value.trim() !== latest.title ? { title: title.value } : {}),
      ...metadataPatch(metadataOf(latest), fields.read()),
    };
    return Object.keys(patch).length ? patch : null;
  };

  const showFailure = (err: unknown) => {
    if (err instanceof ApiError && err.code === "validation_failed") {
      const errors = fieldErrors(byField(err.issues), DETAIL_FIELDS);
      for (const f of DETAIL_FIELDS) setFieldError(form, f, errors[f] ?? null);
      setStatus(status, errors[""] ?? "Please fix the highlighted fields.");
      focusFirstInvalid(form);
    } else if (err instanceof ApiError && err.notFound) {
      ctx.setState("not-found");
    } else {
      setStatus(status, `Not saved: ${messageOf(err)}`);
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const latest = ctx.latest();
    if (!latest) return;
    for (const f of DETAIL_FIELDS) setFieldError(form, f, null);
    const patch = patchOf(latest);
    if (!patch) return setStatus(status, "No changes to save.");
    save.disabled = true;
    setStatus(status, "Saving…");
    try {
      const saved = await api.updateVideo(ctx.videoId, patch);
      ctx.renderVideo(saved);
      fill(saved);
      setStatus(status, "Saved.", "ok");
    } catch (err) {
      showFailure(err);
    } finally {
      save.disabled = false;
    }
  });

  return { fill };
}
