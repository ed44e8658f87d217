/**
 * The embed page's player (`/embed/:id`): the same stage as the watch page, started from the
 * query the embedder wrote — `autoplay=1` (muted when the browser refuses sound), `muted=1`,
 * `start=30`, `controls=0` (rendered server-side). Links open the site in a new tab (the
 * page's `<base target="_blank">`). Plays count as views (source `embed`): the viewer is named
 * by an id kept in the frame's own storage, since the site's cookie never reaches a
 * third-party frame (viewer-id.ts, ADR 0029).
 */
import { setViewerId } from "../../lib/api.ts";
import { elementsOf } from "../../lib/dom.ts";
import { mountVideoStage } from "../watch/video-stage.ts";
import { mountViewReporter } from "../watch/watch-viewing.ts";
import { storedViewerId } from "./viewer-id.ts";

export function mountEmbed(root: HTMLElement): void {
  const $ = elementsOf(root, "embed page");
  const start = Number(root.dataset.start) || 0;
  const viewerId = storedViewerId(() => window.localStorage);
  setViewerId(viewerId);
  const stageRoot = $('[data-testid="player-wrapper"]');
  const reporter = mountViewReporter($("video", HTMLVideoElement), viewerId);
  mountVideoStage(stageRoot, root.dataset.videoId ?? "", {
    autoplay: root.dataset.autoplay === "true",
    muted: root.dataset.muted === "true",
    startAt: start > 0 ? start : null,
    // Keys reach the frame only while it has focus; inside it, the whole frame is the player.
    shortcuts: "page",
    onVideo: (video) => reporter.setToken(video.playback?.viewToken),
  });
}
