/**
 * The watch page's server-rendered copy of the video (ADR 0029): written by the page's server
 * part, read by its script; and the details line both render. Pure (no DOM), so the server
 * imports it too.
 */
import type { VideoDto } from "../../lib/api.ts";
import { formatRelativeTime } from "../../lib/format.ts";

/** Views and the date, as the line above the description shows them. */
export function metaItems(video: VideoDto, now = Date.now()): string[] {
  const items: string[] = [
    `${video.viewCount.toLocaleString("en-US")} ${video.viewCount === 1 ? "view" : "views"}`,
  ];
  const when = formatRelativeTime(video.publishedAt ?? video.createdAt, now);
  if (when) items.push(video.publishedAt ? when : `Uploaded ${when}`);
  return items;
}

/**
 * The copy rendered into the page for the player to start on before any script asks the API
 * (ADR 0029): the anonymous DTO without its view token — that token names the server's own
 * request, not this browser, so heartbeats wait for the viewer's copy.
 */
export function pageCopy(video: VideoDto): VideoDto {
  if (!video.playback?.viewToken) return video;
  const { viewToken: _token, ...playback } = video.playback;
  return { ...video, playback };
}

/** The page copy back from its data attribute; null when absent or not a video. */
export function readPageCopy(json: string | undefined, id: string): VideoDto | null {
  if (!json) return null;
  try {
    const video = JSON.parse(json) as VideoDto | null;
    return video && typeof video === "object" && video.id === id ? video : null;
  } catch {
    return null;
  }
}
