/**
 * What the watch page asks for before any script runs, so the first frame does not wait on a
 * chain of requests (ADR 0033): the master playlist, the lowest video rung's and the audio
 * rendition's playlists, and each one's init segment and first segment — exactly the files
 * hls.js requests first when it starts on the lowest rung (`startLevel: 0`). Pure: the page's
 * server part renders them as `<link rel="preload" as="fetch" crossorigin>` (hls.js's XHRs are
 * same-origin CORS requests without credentials, so the browser hands them the preloaded bytes).
 *
 * Segment names are the transcoder's (`init.mp4`, `seg_00000.m4s` — the edge's DASH manifest
 * relies on the same naming); a page that starts elsewhere (`?t=`) skips the first segments.
 */
import type { VideoDto } from "../../lib/api.ts";

/**
 * The watch page's first script's static module graph (hls.js, the player, helpers), filled in
 * by the build (site/scripts/watch-modules.mjs) once the hashed names exist; rendered as
 * `<link rel="modulepreload">` so the graph arrives in one wave instead of three.
 */
const WATCH_MODULES = "__STREAMLINE_WATCH_MODULES__";

/** The paths the build filled in; [] where it did not run (`astro dev`) or left something odd. */
export function watchModulePaths(raw: string = WATCH_MODULES): string[] {
  try {
    const list: unknown = JSON.parse(raw);
    if (!Array.isArray(list)) return [];
    return list.filter((p): p is string => typeof p === "string" && /^\/_astro\/[\w.-]+\.js$/.test(p));
  } catch {
    return [];
  }
}

/** The transcoder's names inside a rendition folder (transcoder/src/ffmpeg/hls.ts). */
export const INIT_SEGMENT = "init.mp4";
export const FIRST_SEGMENT = "seg_00000.m4s";

type Rendition = VideoDto["renditions"][number];

/** The video rendition hls.js starts on: it sorts levels by height (then bitrate) and starts at 0. */
export function lowestVideoRung(video: Pick<VideoDto, "renditions">): Rendition | null {
  const rungs = video.renditions.filter((r) => r.kind === "video");
  if (!rungs.length) return null;
  return rungs.reduce((low, r) =>
    r.height < low.height || (r.height === low.height && r.bandwidth < low.bandwidth) ? r : low,
  );
}

/** The files of a playable video's first second, in the order hls.js asks for them; [] when not playable. */
export function firstFramePreloads(
  video: Pick<VideoDto, "playable" | "playback" | "renditions">,
  startAt: number | null = null,
): string[] {
  const master = video.playback?.hls;
  if (!video.playable || !master) return [];
  const base = master.slice(0, master.lastIndexOf("/") + 1);
  const low = lowestVideoRung(video);
  if (!low) return [master];
  const audio = video.renditions.find((r) => r.kind === "audio");
  const folders = [low, ...(audio ? [audio] : [])].map((r) =>
    r.playlist.slice(0, r.playlist.lastIndexOf("/") + 1),
  );
  const playlists = [low, ...(audio ? [audio] : [])].map((r) => base + r.playlist);
  const starts = !startAt || startAt <= 0;
  const media = folders.flatMap((f) => [
    base + f + INIT_SEGMENT,
    ...(starts ? [base + f + FIRST_SEGMENT] : []),
  ]);
  return [master, ...playlists, ...media];
}
