/**
 * The player as a preview on a page that is about something else (the studio's video page): a
 * closed `<details>` holding a `video-stage.astro`, mounted the first time it is opened (the
 * player's script and hls.js are fetched only then), without autoplay, its keys only while focus
 * is inside it, and paused whenever it is closed again.
 */
import type { VideoStage } from "./video-stage.ts";

export function mountStagePreview(details: HTMLDetailsElement, videoId: string): { stop(): void } {
  let stage: Promise<VideoStage> | null = null;
  const onToggle = () => {
    if (!details.open) return void stage?.then((s) => s.player.pause());
    const root = details.querySelector<HTMLElement>('[data-testid="player-wrapper"]');
    if (stage || !root) return;
    stage = import("./video-stage.ts").then(({ mountVideoStage }) =>
      mountVideoStage(root, videoId, { autoplay: false, shortcuts: "player" }),
    );
  };
  details.addEventListener("toggle", onToggle);
  return {
    stop() {
      details.removeEventListener("toggle", onToggle);
      void stage?.then((s) => s.stop());
    },
  };
}
