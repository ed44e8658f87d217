/**
 * The upload page's details form (title + the shared metadata fields). Before the upload
 * exists its values go with the creation; once the video exists, every change is saved with
 * a PATCH of what differs from the last saved copy, debounced (one request in flight at a
 * time, the latest values win), so the person can fill it in while the bytes move. New
 * uploads start from the account's default visibility.
 */
import { type ApiClient, ApiError, type UpdateVideoRequest } from "../../lib/api.ts";
import {
  type MetadataValues,
  metadataOf,
  metadataPatch,
  mountMetadataFields,
} from "../../lib/metadata-form.ts";
import type { UploadMetadata } from "./upload-session.ts";

export const SAVE_DEBOUNCE_MS = 600;

interface Saved extends MetadataValues {
  title: string;
}

export interface UploadDetails {
  title(): string;
  /** What the creation carries (only what was filled in). */
  createFields(): UploadMetadata;
  /**
   * The upload exists now; later changes are saved to it. A fresh one was created with what
   * `createFields` returned last; a resumed one's details are read from the server.
   */
  attach(videoId: string, resumed: boolean): void;
  /** The upload was discarded: keep the values (for the next try), stop saving. */
  detach(): void;
  /** Clears the form for the next upload. */
  reset(): void;
}

type Status = { text: string; tone: "info" | "ok" | "error" };

export function mountUploadDetails(
  form: HTMLFormElement,
  deps: { api: Pick<ApiClient, "updateVideo" | "getVideo" | "getPreferences"> },
): UploadDetails {
  const titleInput = form.querySelector<HTMLInputElement>('[name="title"]')!;
  const status = form.querySelector<HTMLElement>('[data-role="details-status"]')!;
  const idle = status.textContent?.trim() ?? "";
  let videoId: string | null = null;
  let saved: Saved | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let saving = false;
  let touchedVisibility = false;
  /** The values sent with the creation. */
  let sentWithCreate: Saved | null = null;
  /** Values the API refused: not sent again until something changes. */
  let refused = "";

  const show = ({ text, tone }: Status) => {
    status.textContent = text;
    status.dataset.tone = tone;
  };
  const current = (): Saved => ({ ...fields.read(), title: titleInput.value.trim() });
  const patchOf = (from: Saved, to: Saved): UpdateVideoRequest | null => {
    const patch = {
      ...(to.title && to.title !== from.title ? { title: to.title } : {}),
      ...metadataPatch(from, to),
    };
    return Object.keys(patch).length ? patch : null;
  };

  const save = async () => {
    if (!videoId || !saved || saving) return;
    const values = current();
    const patch = patchOf(saved, values);
    if (!patch) return show({ text: "All changes saved.", tone: "ok" });
    if (JSON.stringify(values) === refused) return;
    saving = true;
    show({ text: "Saving…", tone: "info" });
    try {
      const video = await deps.api.updateVideo(videoId, patch);
      saved = { ...metadataOf(video), title: video.title };
      clearErrors();
      show({ text: "All changes saved.", tone: "ok" });
    } catch (err) {
      showFailure(err);
      refused = JSON.stringify(values);
    } finally {
      saving = false;
    }
    // Typed while the request was out: save that too.
    const next = current();
    if (patchOf(saved, next) && JSON.stringify(next) !== refused) schedule();
  };
  const schedule = () => {
    clearTimeout(timer);
    if (videoId) timer = setTimeout(() => void save(), SAVE_DEBOUNCE_MS);
  };
  const onChange = () => {
    if (videoId) show({ text: "Unsaved changes…", tone: "info" });
    schedule();
  };

  const fields = mountMetadataFields(form, onChange);
  titleInput.addEventListener("input", onChange);
  form.addEventListener("change", (event) => {
    if ((event.target as HTMLInputElement).name === "visibility") touchedVisibility = true;
  });
  form.addEventListener("submit", (event) => event.preventDefault());

  const fieldNames = ["title", "description", "tags", "category", "visibility", "publishAt"] as const;
  const clearErrors = () => {
    for (const f of fieldNames) fields.setError(f as keyof MetadataValues, null);
  };
  const showFailure = (err: unknown) => {
    if (err instanceof ApiError && err.code === "validation_failed") {
      for (const raw of err.issues ?? []) {
        const issue = raw as { path?: string; message?: string };
        const field = (issue.path ?? "").split(".")[0] as keyof MetadataValues;
        fields.setError(field, issue.message ?? err.message);
      }
      return show({ text: "Not saved: please fix the highlighted fields.", tone: "error" });
    }
    show({
      text: `Not saved: ${err instanceof Error ? err.message : "something went wrong"}`,
      tone: "error",
    });
  };

  const fillDefaults = fields.fill;
  fields.fill({ description: "", tags: [], category: null, visibility: "public", publishAt: null });
  void deps.api
    .getPreferences()
    .then((prefs) => {
      if (!touchedVisibility && !videoId)
        fillDefaults({ ...fields.read(), visibility: prefs.defaultVisibility });
    })
    .catch(() => undefined);

  return {
    title: () => titleInput.value,
    createFields() {
      sentWithCreate = current();
      const v = sentWithCreate;
      return {
        ...(v.description ? { description: v.description } : {}),
        ...(v.tags.length ? { tags: v.tags } : {}),
        ...(v.category ? { category: v.category } : {}),
        visibility: v.visibility,
        ...(v.publishAt ? { publishAt: v.publishAt } : {}),
      };
    },
    attach(id, resumed) {
      videoId = id;
      form.dataset.videoId = id;
      if (!resumed && sentWithCreate) {
        saved = sentWithCreate;
        return void save();
      }
      // A resumed upload: what it was created with is on the server.
      void deps.api.getVideo(id).then((video) => {
        saved = { ...metadataOf(video), title: video.title };
        void save();
      });
    },
    detach() {
      clearTimeout(timer);
      videoId = null;
      saved = null;
      delete form.dataset.videoId;
      show({ text: idle, tone: "info" });
    },
    reset() {
      clearTimeout(timer);
      videoId = null;
      saved = null;
      touchedVisibility = false;
      sentWithCreate = null;
      refused = "";
      delete form.dataset.videoId;
      titleInput.value = "";
      fields.fill({
        description: "",
        tags: [],
        category: null,
        visibility: fields.read().visibility,
        publishAt: null,
      });
      clearErrors();
      show({ text: idle, tone: "info" });
    },
  };
}
