/**
 * `GET /oembed` (https://oembed.com): a watch or embed address of this site → the `video`
 * answer with the `<iframe>` of `/embed/:id`, sized to the consumer's maxima. Unknown,
 * private, taken-down, unplayable and not-embeddable videos are all the same 404.
 */
import {
  embedIframeHtml,
  embedSize,
  type OEmbedQuery,
  type OEmbedResponse,
  VIDEO_ID_PATTERN,
} from "@streamline/contracts";
import type { VideoRow } from "../../db/schema.ts";
import { AppError } from "../../lib/errors.ts";
import type { Services } from "../../lib/services.ts";
import { channelRefOf } from "../channels/channel-refs.ts";
import { isEmbeddable } from "../videos/embed-policy.ts";
import { VideosRepo } from "../videos/videos.repo.ts";

export const PROVIDER_NAME = "Streamline";

/** Posters are at most this wide (transcoder posterSize); the same aspect as the video. */
const POSTER_MAX_WIDTH = 1280;

/** The video id of `/watch/:id` or `/embed/:id` on one of `origins`; null for anything else. */
export function videoIdOfUrl(raw: string, origins: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!origins.includes(url.origin)) return null;
  const m = /^\/(?:watch|embed)\/([^/]+)\/?$/.exec(url.pathname);
  return m && VIDEO_ID_PATTERN.test(m[1]!) ? m[1]! : null;
}

function posterBox(video: Pick<VideoRow, "width" | "height">): { width: number; height: number } {
  if (!video.width || !video.height) return { width: POSTER_MAX_WIDTH, height: 720 };
  const scale = Math.min(1, POSTER_MAX_WIDTH / video.width);
  return { width: Math.round(video.width * scale), height: Math.round(video.height * scale) };
}

/** The stable poster address (thumbnail.routes.ts): consumers cache an oEmbed answer for long. */
function thumbnail(video: VideoRow, origin: string) {
  if (!video.posterKey?.startsWith(`videos/${video.id}/`)) return {};
  const box = posterBox(video);
  return {
    thumbnail_url: `${origin}/api/videos/${video.id}/thumbnail`,
    thumbnail_width: box.width,
    thumbnail_height: box.height,
  };
}

/**
 * `origin`: this site's public origin (links in the answer); `accepted`: the origins whose
 * addresses name our videos (the request's own and SITE_ORIGIN's).
 */
export async function oembedFor(
  services: Pick<Services, "config" | "db">,
  query: OEmbedQuery,
  origin: string,
  accepted: readonly string[],
): Promise<OEmbedResponse> {
  const id = videoIdOfUrl(query.url, accepted);
  const video = id ? await new VideosRepo(services.db).find(id) : undefined;
  if (!video || !isEmbeddable(video))
    throw new AppError(404, "not_found", "no embeddable video at that address");
  const channel = await channelRefOf(services, video.ownerId);
  const { width, height } = embedSize(video, query);
  return {
    type: "video",
    version: "1.0",
    title: video.title,
    ...(channel
      ? { author_name: channel.displayName, author_url: `${origin}/c/${encodeURIComponent(channel.handle)}` }
      : {}),
    provider_name: PROVIDER_NAME,
    provider_url: `${origin}/`,
    ...thumbnail(video, origin),
    html: embedIframeHtml(`${origin}/embed/${video.id}`, video.title, width, height),
    width,
    height,
  };
}
