/**
 * The upload page's details form (title + the shared metadata fields). Before the upload
 * exists its values go with the creation; once the video exists, every change is saved with
 * a PATCH of what differs from the last saved copy, debounced (one request in flight at a
 * time, the latest values win), so the person can fill it in while the bytes move. New
 * uploads start from the account's default visibility.
 */
import { type ApiClient, ApiError, type UpdateVideoRequest } from "../../lib/api.ts";
import {
  type MetadataFields,
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
type DetailsApi = Pick<ApiClient, "updateVideo" | "getVideo" | "getPreferences">;

const EMPTY: MetadataValues = {
  description: "",
  tags: [],
  category: null,
  visibility: "public",
  publishAt: null,
};
const FIELD_NAMES = ["title", "description", "tags", "category", "visibility", "publishAt"] as const;

/** Only what changed, the title only when one was typed (an empty one keeps the file name). */
function patchOf(from: Saved, to: Saved): UpdateVideoRequest | null {
  const patch = {
    ...(to.title && to.title !== from.title ? { title: to.title } : {}),
    ...metadataPatch(from, to),
  };
  return Object.keys(patch).length ? patch : null;
}

/** The creation's optional fields: only what was filled in (plus the chosen visibility). */
function createFieldsOf(v: Saved): UploadMetadata {
  return {
    ...(v.description ? { description: v.description } : {}),
    ...(v.tags.length ? { tags: v.tags } : {}),
    ...(v.category ? { category: v.category } : {}),
    visibility: v.visibility,
    ...(v.publishAt ? { publishAt: v.publishAt } : {}),
  };
}

class DetailsAutosave implements UploadDetails {
  private readonly titleInput: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly idle: string;
  private readonly fields: MetadataFields;
  private videoId: string | null = null;
  /** What the server has, as far as this page knows. */
  private saved: Saved | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saving = false;
  private touchedVisibility = false;
  /** The values sent with the creation. */
  private sentWithCreate: Saved | null = null;
  /** Values the API refused: not sent again until something changes. */
  private refused = "";

  constructor(
    private readonly form: HTMLFormElement,
    private readonly api: DetailsApi,
  ) {
    this.titleInput = form.querySelector<HTMLInputElement>('[name="title"]')!;
    this.status = form.querySelector<HTMLElement>('[data-role="details-status"]')!;
    this.idle = this.status.textContent?.trim() ?? "";
    this.fields = mountMetadataFields(form, () => this.changed());
    this.titleInput.addEventListener("input", () => this.changed());
    form.addEventListener("change", (event) => {
      if ((event.target as HTMLInputElement).name === "visibility") this.touchedVisibility = true;
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    this.fields.fill(EMPTY);
    void this.api
      .getPreferences()
      .then((prefs) => {
        if (this.touchedVisibility || this.videoId) return;
        this.fields.fill({ ...this.fields.read(), visibility: prefs.defaultVisibility });
      })
      .catch(() => undefined);
  }

  title = () => this.titleInput.value;

  createFields(): UploadMetadata {
    this.sentWithCreate = this.current();
    return createFieldsOf(this.sentWithCreate);
  }

  attach(videoId: string, resumed: boolean): void {
    this.videoId = videoId;
    this.form.dataset.videoId = videoId;
    if (!resumed && this.sentWithCreate) {
      this.saved = this.sentWithCreate;
      void this.save();
      return;
    }
    // A resumed upload: what it was created with is on the server.
    void this.api
      .getVideo(videoId)
      .then((video) => {
        this.saved = { ...metadataOf(video), title: video.title };
        return this.save();
      })
      .catch(() => undefined);
  }

  detach(): void {
    clearTimeout(this.timer);
    this.videoId = null;
    this.saved = null;
    delete this.form.dataset.videoId;
    this.show({ text: this.idle, tone: "info" });
  }

  reset(): void {
    this.detach();
    this.touchedVisibility = false;
    this.sentWithCreate = null;
    this.refused = "";
    this.titleInput.value = "";
    this.fields.fill({ ...EMPTY, visibility: this.fields.read().visibility });
    this.clearErrors();
  }

  private current = (): Saved => ({ ...this.fields.read(), title: this.titleInput.value.trim() });

  private show({ text, tone }: Status): void {
    this.status.textContent = text;
    this.status.dataset.tone = tone;
  }

  private changed(): void {
    if (this.videoId) this.show({ text: "Unsaved changes…", tone: "info" });
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.videoId) this.timer = setTimeout(() => void this.save(), SAVE_DEBOUNCE_MS);
  }

  private async save(): Promise<void> {
    const { videoId, saved } = this;
    if (!videoId || !saved || this.saving) return;
    const values = this.current();
    const patch = patchOf(saved, values);
    if (!patch) {
      this.show({ text: "All changes saved.", tone: "ok" });
      return;
    }
    if (JSON.stringify(values) === this.refused) return;
    this.saving = true;
    this.show({ text: "Saving…", tone: "info" });
    try {
      const video = await this.api.updateVideo(videoId, patch);
      if (this.videoId === videoId) this.saved = { ...metadataOf(video), title: video.title };
      this.clearErrors();
      this.show({ text: "All changes saved.", tone: "ok" });
    } catch (err) {
      this.showFailure(err);
      this.refused = JSON.stringify(values);
    } finally {
      this.saving = false;
    }
    // Typed while the request was out: save that too.
    const next = this.current();
    if (this.saved && patchOf(this.saved, next) && JSON.stringify(next) !== this.refused) this.schedule();
  }

  private clearErrors(): void {
    for (const f of FIELD_NAMES) this.fields.setError(f as keyof MetadataValues, null);
  }

  private showFailure(err: unknown): void {
    if (err instanceof ApiError && err.code === "validation_failed") {
      for (const raw of err.issues ?? []) {
        const issue = raw as { path?: string; message?: string };
        const field = (issue.path ?? "").split(".")[0] as keyof MetadataValues;
        this.fields.setError(field, issue.message ?? err.message);
      }
      this.show({ text: "Not saved: please fix the highlighted fields.", tone: "error" });
      return;
    }
    const message = err instanceof Error ? err.message : "something went wrong";
    this.show({ text: `Not saved: ${message}`, tone: "error" });
  }
}

export function mountUploadDetails(form: HTMLFormElement, deps: { api: DetailsApi }): UploadDetails {
  return new DetailsAutosave(form, deps.api);
}
