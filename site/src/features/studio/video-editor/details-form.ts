/** The details section: title, description and visibility, saved with a PATCH of what changed. */
import { ApiError, api, type VideoDto } from "../../../lib/api.ts";
import { type DetailsForm, detailsPatch, fieldErrors, type Visibility } from "../studio-model.ts";
import {
  control,
  type EditorContext,
  focusFirstInvalid,
  messageOf,
  setFieldError,
  setStatus,
} from "./editor-context.ts";

const DETAIL_FIELDS = ["title", "description", "visibility"] as const;

export interface DetailsSection {
  fill(video: VideoDto): void;
}

export function mountDetailsForm(ctx: EditorContext): DetailsSection {
  const form = ctx.part("details-form", HTMLFormElement);
  const status = ctx.part("details-status");
  const save = ctx.part("save", HTMLButtonElement);
  const title = control(form, "title", HTMLInputElement);
  const description = control(form, "description", HTMLTextAreaElement);
  control(form, "visibility", HTMLInputElement);

  const fill = (video: VideoDto) => {
    title.value = video.title;
    description.value = video.description;
    (form.elements.namedItem("visibility") as RadioNodeList).value = video.visibility;
  };

  const read = (): DetailsForm => {
    const data = new FormData(form);
    return {
      title: String(data.get("title") ?? ""),
      description: String(data.get("description") ?? ""),
      visibility: String(data.get("visibility") ?? ctx.latest()?.visibility) as Visibility,
    };
  };

  const showFailure = (err: unknown) => {
    if (err instanceof ApiError && err.code === "validation_failed") {
      const errors = fieldErrors(err.issues, DETAIL_FIELDS);
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
    const patch = detailsPatch(latest, read());
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
