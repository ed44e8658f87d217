/**
 * "Up next" (components/up-next.astro): `GET /api/videos/:id/related?limit=12`, or — until
 * that answers — the channel's newest other videos; and the autoplay switch: the account's
 * `autoplay` preference when signed in, a setting kept in this browser otherwise.
 */
import { api, type VideoDto } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { videoCard } from "../../lib/video-card.ts";

export const UP_NEXT_LIMIT = 12;
const AUTOPLAY_KEY = "streamline.autoplay";

export interface UpNext {
  /** Loads the list once, from the first copy of the video (its channel is the fallback). */
  show(video: VideoDto): void;
  /** The video autoplay goes to (the first in the list), if any. */
  next(): VideoDto | null;
  autoplay(): boolean;
}

/** Related videos; null when the endpoint is not there (or fails), so the caller falls back. */
async function related(videoId: string, signal: AbortSignal): Promise<VideoDto[] | null> {
  try {
    const res = await fetch(`/api/videos/${encodeURIComponent(videoId)}/related?limit=${UP_NEXT_LIMIT}`, {
      credentials: "same-origin",
      signal,
    });
    if (!res.ok) return null;
    const body = (await res.json()) as { videos?: VideoDto[] };
    return Array.isArray(body.videos) ? body.videos : null;
  } catch {
    return null;
  }
}

/** Where up next comes from (injected, so the fallback is testable without a network). */
export interface UpNextSource {
  /** null: the endpoint is not there or failed (fall back). */
  related(videoId: string, signal: AbortSignal): Promise<VideoDto[] | null>;
  channelVideos(handle: string, limit: number, signal: AbortSignal): Promise<VideoDto[]>;
}

const browserSource: UpNextSource = {
  related,
  channelVideos: (handle, limit, signal) =>
    api
      .channelVideos(handle, { sort: "newest", limit }, signal)
      .then((page) => page.videos)
      .catch(() => []),
};

/** Related videos when there are any, else the channel's newest; never the video itself. */
export async function loadUpNext(
  video: VideoDto,
  signal: AbortSignal,
  source: UpNextSource = browserSource,
): Promise<VideoDto[]> {
  const others = (list: VideoDto[]) => list.filter((v) => v.id !== video.id).slice(0, UP_NEXT_LIMIT);
  const found = await source.related(video.id, signal);
  if (found?.length) return others(found);
  if (!video.channel) return [];
  return others(await source.channelVideos(video.channel.handle, UP_NEXT_LIMIT + 1, signal));
}

function card(template: HTMLTemplateElement, video: VideoDto): Node {
  const node = videoCard(template, video, { label: "up next card", withChannel: false }) as DocumentFragment;
  const name = node.querySelector<HTMLElement>(role("channel-name"));
  if (name) name.textContent = video.channel?.displayName ?? "";
  return node;
}

/** The switch follows the account's preference once known; a flip is saved where it came from. */
function mountAutoplaySwitch(toggle: HTMLInputElement): () => boolean {
  toggle.checked = localStorage.getItem(AUTOPLAY_KEY) !== "0";
  let signedIn = false;
  // A flip made before the account's preference arrives is the visitor's latest word:
  // the late answer must not undo it (it is saved to the account below instead).
  let flipped = false;
  const adopt = () => {
    if (signedIn || authSession.state().status !== "signed-in") return;
    signedIn = true;
    void api
      .getPreferences()
      .then((prefs) => {
        if (flipped) void api.updatePreferences({ autoplay: toggle.checked }).catch(() => undefined);
        else toggle.checked = prefs.autoplay;
      })
      .catch(() => undefined);
  };
  authSession.subscribe(adopt);
  adopt();
  toggle.addEventListener("change", () => {
    flipped = true;
    localStorage.setItem(AUTOPLAY_KEY, toggle.checked ? "1" : "0");
    if (signedIn) void api.updatePreferences({ autoplay: toggle.checked }).catch(() => undefined);
  });
  return () => toggle.checked;
}

export function mountUpNext(root: HTMLElement): UpNext {
  const $ = elementsOf(root, "up next");
  const list = $(role("up-next-list"));
  const empty = $(role("up-next-empty"));
  const template = $(role("up-next-card"), HTMLTemplateElement);
  const autoplay = mountAutoplaySwitch($(role("autoplay-toggle"), HTMLInputElement));
  let videos: VideoDto[] = [];
  let started = false;
  return {
    show(video) {
      if (started) return;
      started = true;
      void loadUpNext(video, new AbortController().signal).then((found) => {
        videos = found;
        list.replaceChildren(...found.map((v) => card(template, v)));
        empty.hidden = found.length > 0;
        root.dataset.state = found.length ? "ready" : "empty";
      });
    },
    next: () => videos[0] ?? null,
    autoplay,
  };
}
