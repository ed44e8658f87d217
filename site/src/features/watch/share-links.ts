/**
 * What the Share dialog offers: the watch link (optionally at the current time, `?t=83`)
 * and the `<iframe>` embed code of `/embed/:id` (optionally `?start=83`). Pure.
 */
import { EMBED_DEFAULT_WIDTH, embedIframeHtml } from "@streamline/contracts";

export function watchLink(origin: string, videoId: string, atSec?: number | null): string {
  const url = new URL(`/watch/${encodeURIComponent(videoId)}`, origin);
  const t = atSec ? Math.floor(atSec) : 0;
  if (t > 0) url.searchParams.set("t", String(t));
  return url.href;
}

export function embedCode(
  origin: string,
  video: { id: string; title: string; width: number | null; height: number | null },
  atSec?: number | null,
): string {
  const url = new URL(`/embed/${encodeURIComponent(video.id)}`, origin);
  const start = atSec ? Math.floor(atSec) : 0;
  if (start > 0) url.searchParams.set("start", String(start));
  const aspect = video.width && video.height ? video.width / video.height : 16 / 9;
  const width = EMBED_DEFAULT_WIDTH;
  return embedIframeHtml(url.href, video.title, width, Math.round(width / aspect));
}
