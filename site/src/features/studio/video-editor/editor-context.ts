/**
 * What every section of the studio video page (`/studio/:id`) shares: the video being edited,
 * the page's elements, its state, and the small feedback helpers (status lines, error boxes,
 * field errors) each section reports through.
 */
import { ApiError, type VideoDto } from "../../../lib/api.ts";
import { type ElementType, elementsOf, requireElement, role } from "../../../lib/dom.ts";

export type EditorPageState = "loading" | "ready" | "not-found" | "error" | "deleted";

export interface EditorContext {
  videoId: string;
  /** The page's element with `data-role=name`, or a loud error naming it. */
  part<T extends HTMLElement = HTMLElement>(name: string, type?: ElementType<T>): T;
  /** Any selector under the page root. */
  find<T extends HTMLElement = HTMLElement>(selector: string, type?: ElementType<T>): T;
  /** Ends when the person leaves the page. */
  lifetime: AbortSignal;
  latest(): VideoDto | null;
  /** Shows a fresh copy of the video in the header (and remembers it as the latest). */
  renderVideo(video: VideoDto): void;
  setState(state: EditorPageState): void;
}

export const WHERE = "studio video page";

export function createEditorContext(
  root: HTMLElement,
  hooks: Pick<EditorContext, "latest" | "renderVideo" | "setState">,
  lifetime: AbortSignal,
): EditorContext {
  const find = elementsOf(root, WHERE);
  return {
    videoId: root.dataset.videoId ?? "",
    part: (name, type) => find(role(name), type),
    find,
    lifetime,
    ...hooks,
  };
}

export const messageOf = (err: unknown) =>
  err instanceof ApiError ? err.message : err instanceof Error ? err.message : "Something went wrong.";

export function setStatus(el: HTMLElement, text: string, tone: "ok" | "info" = "info"): void {
  el.textContent = text;
  el.dataset.tone = tone;
}

/** An error box (`.notice-error` with a `span[data-role]` for the text); null hides it. */
export function showError(box: HTMLElement, message: string | null): void {
  box.hidden = message === null;
  const text = box.querySelector<HTMLElement>("span[data-role]");
  if (text) text.textContent = message ?? "";
}

/** A field's message beside it (and on the input for assistive tech); null clears it. */
export function setFieldError(form: HTMLFormElement, name: string, message: string | null): void {
  const el = form.querySelector<HTMLElement>(`[data-role="${name}-error"]`);
  if (el) {
    el.textContent = message ?? "";
    el.hidden = !message;
  }
  const control = form.elements.namedItem(name);
  const inputs =
    control instanceof RadioNodeList ? [...control] : control instanceof HTMLElement ? [control] : [];
  for (const input of inputs) {
    if (message) (input as HTMLElement).setAttribute("aria-invalid", "true");
    else (input as HTMLElement).removeAttribute("aria-invalid");
  }
}

/** A named control of a form, checked like any other wired element. */
export function control<T extends HTMLElement>(form: HTMLFormElement, name: string, type: ElementType<T>): T {
  return requireElement(form, `[name="${name}"]`, type, WHERE);
}

export function focusFirstInvalid(form: HTMLFormElement): HTMLElement | null {
  const invalid = form.querySelector<HTMLElement>('[aria-invalid="true"]');
  invalid?.focus();
  return invalid;
}
