/**
 * The Embedding panel (components/embed-settings.astro): "Allow embedding" and the allowed
 * sites, saved as `PATCH /api/videos/:id { embed: { allowed, origins } }` (ADR 0019). The
 * API normalizes and validates origins; its issues show beside the list.
 */
import type { EmbedSettings } from "@streamline/contracts";
import { ApiError, api, type VideoDto } from "../../../lib/api.ts";
import { control, type EditorContext, messageOf, setFieldError, setStatus } from "./editor-context.ts";

export interface EmbedSection {
  fill(video: VideoDto): void;
}

/** One origin a line (blank lines and surrounding spaces ignored); none means any site. */
export function originsFromText(text: string): string[] | null {
  const list = text
    .split(/[\n,]+/)
    .map((line) => line.trim())
    .filter(Boolean);
  return list.length ? list : null;
}

/** `embed.origins.3` → the fourth line, as the person typed it. */
export function originsIssue(issues: readonly unknown[] | undefined, typed: string[] | null): string | null {
  for (const raw of issues ?? []) {
    const issue = raw as { path?: unknown; message?: unknown };
    const path = typeof issue.path === "string" ? issue.path : "";
    if (!path.startsWith("embed")) continue;
    const index = /^embed\.origins\.(\d+)/.exec(path)?.[1];
    const line = index !== undefined ? typed?.[Number(index)] : undefined;
    const message = typeof issue.message === "string" ? issue.message : "not accepted";
    return line ? `${line}: ${message}` : message;
  }
  return null;
}

export function mountEmbedSection(ctx: EditorContext): EmbedSection {
  const form = ctx.part("embed-form", HTMLFormElement);
  const status = ctx.part("embed-status");
  const save = ctx.part("save-embed", HTMLButtonElement);
  const allowed = control(form, "allowed", HTMLInputElement);
  const origins = control(form, "origins", HTMLTextAreaElement);
  const sync = () => (origins.disabled = !allowed.checked);
  allowed.addEventListener("change", sync);

  const fill = (video: VideoDto) => {
    const embed: EmbedSettings = video.embed ?? { allowed: true, origins: null };
    allowed.checked = embed.allowed;
    origins.value = (embed.origins ?? []).join("\n");
    sync();
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    setFieldError(form, "origins", null);
    const typed = originsFromText(origins.value);
    save.disabled = true;
    setStatus(status, "Saving…");
    try {
      const saved = await api.updateVideo(ctx.videoId, {
        embed: { allowed: allowed.checked, origins: typed },
      });
      ctx.renderVideo(saved);
      fill(saved);
      setStatus(status, "Saved.", "ok");
    } catch (err) {
      if (err instanceof ApiError && err.notFound) return ctx.setState("not-found");
      const issue = err instanceof ApiError ? originsIssue(err.issues, typed) : null;
      if (issue) setFieldError(form, "origins", issue);
      setStatus(status, issue ? "Please fix the allowed sites." : `Not saved: ${messageOf(err)}`);
    } finally {
      save.disabled = false;
    }
  });

  return { fill };
}
