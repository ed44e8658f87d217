/**
 * The upload page's details form (title + the shared metadata fields), one form for a queue
 * of files: it shows the details of the file picked in the queue, and each file keeps its
 * own. Before a file's upload exists its values go with the creation; once the video exists,
 * every change is saved with a PATCH of what differs from the last saved copy, debounced (one
 * request in flight per file, the latest values win), so the person can fill it in while the
 * bytes move — for any file in the queue, switching between them. New files start from the
 * account's default visibility.
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

/** One queued file's details. */
export interface ItemDetails {
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
}

export interface UploadDetailsForm {
  /** Details for a newly queued file, from the defaults. */
  create(): ItemDetails;
  /** Puts `item`'s values in the form (saving what the previous one had pending); null: a blank form. */
  show(item: ItemDetails | null): void;
}

type Status = { text: string; tone: "info" | "ok" | "error" };
type DetailsApi = Pick<ApiClient, "updateVideo" | "getVideo" | "getPreferences">;

const EMPTY: Saved = {
  title: "",
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

/** The one form on the page, showing one file's details at a time. */
class DetailsForm implements UploadDetailsForm {
  readonly titleInput: HTMLInputElement;
  readonly fields: MetadataFields;
  private readonly status: HTMLElement;
  readonly idle: string;
  shown: ItemAutosave | null = null;
  private readonly items = new Set<ItemAutosave>();
  defaultVisibility: Saved["visibility"] = "public";

  constructor(
    readonly form: HTMLFormElement,
    readonly api: DetailsApi,
  ) {
    this.titleInput = form.querySelector<HTMLInputElement>('[name="title"]')!;
    this.status = form.querySelector<HTMLElement>('[data-role="details-status"]')!;
    this.idle = this.status.textContent?.trim() ?? "";
    this.fields = mountMetadataFields(form, () => this.shown?.changed());
    this.titleInput.addEventListener("input", () => this.shown?.changed());
    form.addEventListener("change", (event) => {
      if ((event.target as HTMLInputElement).name === "visibility" && this.shown)
        this.shown.touchedVisibility = true;
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    this.fields.fill(EMPTY);
    void this.api
      .getPreferences()
      .then((prefs) => {
        this.defaultVisibility = prefs.defaultVisibility;
        for (const item of this.items) item.adoptDefaultVisibility(prefs.defaultVisibility);
        // The blank form (no file picked yet) shows what a new file will start with.
        if (!this.shown) this.fields.fill({ ...this.fields.read(), visibility: prefs.defaultVisibility });
      })
      .catch(() => undefined);
  }

  create(): ItemDetails {
    const item = new ItemAutosave(this, { ...EMPTY, visibility: this.defaultVisibility });
    this.items.add(item);
    return item;
  }

  show(item: ItemDetails | null): void {
    const next = item as ItemAutosave | null;
    if (next === this.shown) return;
    this.shown?.hide();
    this.shown = next;
    this.clearErrors();
    const values = next?.snapshot ?? { ...EMPTY, visibility: this.defaultVisibility };
    this.titleInput.value = values.title;
    this.fields.fill(values);
    this.paint(next?.status ?? { text: this.idle, tone: "info" });
  }

  /** What the form holds now. */
  read = (): Saved => ({ ...this.fields.read(), title: this.titleInput.value.trim() });

  paint({ text, tone }: Status): void {
    this.status.textContent = text;
    this.status.dataset.tone = tone;
  }

  clearErrors(): void {
    for (const f of FIELD_NAMES) this.fields.setError(f as keyof MetadataValues, null);
  }

  showFieldErrors(err: ApiError): void {
    for (const raw of err.issues ?? []) {
      const issue = raw as { path?: string; message?: string };
      const field = (issue.path ?? "").split(".")[0] as keyof MetadataValues;
      this.fields.setError(field, issue.message ?? err.message);
    }
  }
}

class ItemAutosave implements ItemDetails {
  private videoId: string | null = null;
  /** What the server has, as far as this page knows. */
  private saved: Saved | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saving = false;
  touchedVisibility = false;
  /** The values sent with the creation. */
  private sentWithCreate: Saved | null = null;
  /** Values the API refused: not sent again until something changes. */
  private refused = "";
  status: Status;

  constructor(
    private readonly form: DetailsForm,
    /** The values while another file's are in the form. */
    public snapshot: Saved,
  ) {
    this.status = { text: form.idle, tone: "info" };
  }

  private get shown(): boolean {
    return this.form.shown === this;
  }

  private current(): Saved {
    if (this.shown) this.snapshot = this.form.read();
    return this.snapshot;
  }

  title = () => this.current().title;

  createFields(): UploadMetadata {
    this.sentWithCreate = this.current();
    return createFieldsOf(this.sentWithCreate);
  }

  adoptDefaultVisibility(visibility: Saved["visibility"]): void {
    if (this.touchedVisibility || this.videoId || this.sentWithCreate) return;
    this.snapshot = { ...this.current(), visibility };
    if (this.shown) this.form.fields.fill(this.snapshot);
  }

  attach(videoId: string, resumed: boolean): void {
    this.videoId = videoId;
    if (!resumed && this.sentWithCreate) {
      this.saved = this.sentWithCreate;
      void this.save();
      return;
    }
    // A resumed upload: what it was created with is on the server.
    void this.form.api
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
    this.setStatus({ text: this.form.idle, tone: "info" });
  }

  /** Another file's details go in the form: keep ours, and save what was pending now. */
  hide(): void {
    this.current();
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.save();
    }
  }

  changed(): void {
    if (this.videoId) this.setStatus({ text: "Unsaved changes…", tone: "info" });
    this.schedule();
  }

  private setStatus(status: Status): void {
    this.status = status;
    if (this.shown) this.form.paint(status);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.videoId) this.timer = setTimeout(() => void this.save(), SAVE_DEBOUNCE_MS);
  }

  private async save(): Promise<void> {
    this.timer = undefined;
    const { videoId, saved } = this;
    if (!videoId || !saved || this.saving) return;
    const values = this.current();
    const patch = patchOf(saved, values);
    if (!patch) return this.setStatus({ text: "All changes saved.", tone: "ok" });
    if (JSON.stringify(values) === this.refused) return;
    this.saving = true;
    this.setStatus({ text: "Saving…", tone: "info" });
    try {
      const video = await this.form.api.updateVideo(videoId, patch);
      if (this.videoId === videoId) this.saved = { ...metadataOf(video), title: video.title };
      if (this.shown) this.form.clearErrors();
      this.setStatus({ text: "All changes saved.", tone: "ok" });
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

  private showFailure(err: unknown): void {
    if (err instanceof ApiError && err.code === "validation_failed") {
      if (this.shown) this.form.showFieldErrors(err);
      this.setStatus({ text: "Not saved: please fix the highlighted fields.", tone: "error" });
      return;
    }
    const message = err instanceof Error ? err.message : "something went wrong";
    this.setStatus({ text: `Not saved: ${message}`, tone: "error" });
  }
}

export function mountUploadDetails(form: HTMLFormElement, deps: { api: DetailsApi }): UploadDetailsForm {
  return new DetailsForm(form, deps.api);
}
