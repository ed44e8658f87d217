/**
 * The embed page's player (`/embed/:id`): the same stage as the watch page, started from the
 * query the embedder wrote — `autoplay=1` (muted when the browser refuses sound), `muted=1`,
 * `start=30`, `controls=0` (rendered server-side). Links open the site in a new tab (the
 * page's `<base target="_blank">`).
 */
import { elementsOf } from "../../lib/dom.ts";
import { mountVideoStage } from "../watch/video-stage.ts";

export function mountEmbed(root: HTMLElement): void {
  const $ = elementsOf(root, "embed page");
  const start = Number(root.dataset.start) || 0;
  mountVideoStage($('[data-testid="player-wrapper"]'), root.dataset.videoId ?? "", {
    autoplay: root.dataset.autoplay === "true",
    muted: root.dataset.muted === "true",
    startAt: start > 0 ? start : null,
    // Keys reach the frame only while it has focus; inside it, the whole frame is the player.
    shortcuts: "page",
  });
}
