/**
 * The Downloads panel (components/download-settings.astro): one switch, saved at once as
 * `PATCH /api/videos/:id { download: { enabled } }` (ADR 0027). A failed save puts the
 * switch back and says why. Clips have no download of their own: the panel hides for them.
 */
import { ApiError, api, type VideoDto } from "../../../lib/api.ts";
import { type EditorContext, messageOf, setStatus } from "./editor-context.ts";

export interface DownloadSection {
  fill(video: VideoDto): void;
}

export function mountDownloadSection(ctx: EditorContext): DownloadSection {
  const section = ctx.part("download-section");
  const toggle = ctx.part("download-enabled", HTMLInputElement);
  const status = ctx.part("download-status");

  const fill = (video: VideoDto) => {
    section.hidden = !!video.clipOf;
    toggle.checked = video.download?.enabled ?? false;
  };

  toggle.addEventListener("change", async () => {
    const enabled = toggle.checked;
    toggle.disabled = true;
    setStatus(status, "Saving…");
    try {
      const saved = await api.updateVideo(ctx.videoId, { download: { enabled } });
      ctx.renderVideo(saved);
      fill(saved);
      setStatus(status, enabled ? "Viewers can download this video." : "Downloads are off.", "ok");
    } catch (err) {
      if (err instanceof ApiError && err.notFound) return ctx.setState("not-found");
      toggle.checked = !enabled;
      setStatus(status, `Not saved: ${messageOf(err)}`);
    } finally {
      toggle.disabled = false;
    }
  });

  return { fill };
}
