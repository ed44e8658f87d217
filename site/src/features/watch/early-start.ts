/**
 * The watch page's first script (ADR 0033): when the server rendered a playable copy of the
 * video, start the player on it right away — hls.js is a static import here, so the browser
 * fetches it with this small script while the page parses, and it runs once the page is
 * interactive — then show the <video> over its poster. The page's own script mounts the stage
 * later and adopts this player (`attachPlayer`), so the first frame waits for none of the page's
 * other work (comments, up next, the viewer's copy of the video, the header's session refresh).
 */
import Hls from "hls.js";
import { startEarlyPlayer } from "./hls-player.ts";

interface PageCopy {
  playable?: boolean;
  playback?: { hls?: string; expiresAt?: string } | null;
}

export function startWatchPlayer(page: HTMLElement): void {
  // Marks the first-frame breakdown of `npm run bench:site` reads (bench/lib/first-frame.ts).
  performance.mark("sl:early-start");
  const video = page.querySelector<HTMLVideoElement>('[data-testid="player-wrapper"] video');
  let copy: PageCopy | null = null;
  try {
    copy = JSON.parse(page.dataset.initial ?? "null") as PageCopy | null;
  } catch {
    return;
  }
  const hls = copy?.playable ? copy.playback?.hls : undefined;
  if (!video || !hls) return;
  const startAt = Number(page.dataset.startAt ?? "");
  const playback = { hls, expiresAt: copy?.playback?.expiresAt ?? "" };
  if (!startEarlyPlayer(Hls, video, playback, startAt > 0 ? { startAt } : {})) return;
  performance.mark("sl:early-attached");
  // What the stage shows for a playable copy (video-stage-machine: phase "ready"/"playable").
  video.hidden = false;
  const overlay = page.querySelector<HTMLElement>('[data-testid="player-wrapper"] [data-role="overlay"]');
  if (overlay) overlay.hidden = true;
}
