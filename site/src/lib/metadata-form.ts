/**
 * The video metadata fields (`components/metadata-fields.astro`) as one controller, shared by
 * the upload page and the studio editor: read and fill them, keep the schedule and the
 * visibility consistent (a schedule means private; public or unlisted drops it), and work out
 * the PATCH of what changed. The pure parts are exported for unit tests.
 */
import type { Category, UpdateVideoRequest, VideoDto } from "./api.ts";
import { mountTagInput } from "./tag-input.ts";

export type Visibility = VideoDto["visibility"];

export interface MetadataValues {
  description: string;
  tags: string[];
  category: Category | null;
  visibility: Visibility;
  /** ISO, or null for no schedule. */
  publishAt: string | null;
}

export const metadataOf = (video: VideoDto): MetadataValues => ({
  description: video.description,
  tags: video.tags,
  category: video.category,
  visibility: video.visibility,
  publishAt: video.publishAt ?? null,
});

const sameTags = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((t, i) => t === b[i]);

/** Only what changed between `saved` and `now`; null = nothing. */
export function metadataPatch(saved: MetadataValues, now: MetadataValues): UpdateVideoRequest | null {
  const patch: UpdateVideoRequest = {};
  if (now.description !== saved.description) patch.description = now.description;
  if (!sameTags(now.tags, saved.tags)) patch.tags = now.tags;
  if (now.category !== saved.category) patch.category = now.category;
  if (now.visibility !== saved.visibility) patch.visibility = now.visibility;
  const savedAt = saved.publishAt ? Date.parse(saved.publishAt) : null;
  const nowAt = now.publishAt ? Date.parse(now.publishAt) : null;
  if (nowAt !== savedAt) patch.publishAt = now.publishAt;
  return Object.keys(patch).length ? patch : null;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** ISO → the `datetime-local` value in the browser's zone (minutes). */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (the browser's zone) → ISO; null when empty or unreadable. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export interface MetadataFields {
  read(): MetadataValues;
  fill(values: MetadataValues): void;
  /** The field's message beside it; null clears it. */
  setError(field: keyof MetadataValues, message: string | null): void;
}

/** Wires the fields under `root`; `onChange` runs after each change the person makes. */
export function mountMetadataFields(root: HTMLElement, onChange: () => void): MetadataFields {
  const q = <T extends Element>(selector: string) => root.querySelector<T>(selector)!;
  const description = q<HTMLTextAreaElement>('[name="description"]');
  const category = q<HTMLSelectElement>('[name="category"]');
  const schedule = q<HTMLInputElement>('[name="publishAt"]');
  const radios = () => [...root.querySelectorAll<HTMLInputElement>('[name="visibility"]')];
  const tags = mountTagInput(q<HTMLElement>('[data-role="tag-input"]'), onChange);
  const visibility = () => (radios().find((r) => r.checked)?.value ?? "public") as Visibility;
  const setVisibility = (v: Visibility) => {
    for (const r of radios()) r.checked = r.value === v;
  };

  description.addEventListener("input", onChange);
  category.addEventListener("change", onChange);
  for (const r of radios()) {
    r.addEventListener("change", () => {
      if (visibility() !== "private") schedule.value = "";
      onChange();
    });
  }
  schedule.addEventListener("change", () => {
    if (schedule.value) setVisibility("private");
    onChange();
  });

  return {
    read: () => ({
      description: description.value,
      tags: tags.get(),
      category: (category.value || null) as Category | null,
      visibility: visibility(),
      publishAt: fromLocalInput(schedule.value),
    }),
    fill(values) {
      description.value = values.description;
      tags.set(values.tags);
      category.value = values.category ?? "";
      setVisibility(values.visibility);
      schedule.value = toLocalInput(values.publishAt);
    },
    setError(field, message) {
      const el = root.querySelector<HTMLElement>(`[data-role="${field}-error"]`);
      if (!el) return;
      el.textContent = message ?? "";
      el.hidden = !message;
    },
  };
}
