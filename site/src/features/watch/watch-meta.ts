/**
 * Server side of `/watch/:id` and `/embed/:id` (ADR 0019): the video as an anonymous
 * visitor sees it, asked of the edge over the site Worker's `API` binding, and the
 * OpenGraph / Twitter player card tags a shared link previews with. Pure apart from `fetch`.
 */
import { embedSize, type VideoDto } from "@streamline/contracts";

type FetchLike = (request: Request) => Promise<Response>;

export type PublicVideo = { kind: "found"; video: VideoDto } | { kind: "missing" } | { kind: "unavailable" };

/** `GET /api/videos/:id` without credentials: private videos are "missing" here. */
export async function loadPublicVideo(fetcher: FetchLike, origin: string, id: string): Promise<PublicVideo> {
  let res: Response;
  try {
    res = await fetcher(
      new Request(`${origin}/api/videos/${encodeURIComponent(id)}`, {
        headers: { accept: "application/json" },
      }),
    );
  } catch {
    return { kind: "unavailable" };
  }
  if (res.status === 404) {
    await res.body?.cancel();
    return { kind: "missing" };
  }
  if (!res.ok) {
    await res.body?.cancel();
    return { kind: "unavailable" };
  }
  return { kind: "found", video: (await res.json()) as VideoDto };
}

export interface MetaTag {
  /** OpenGraph tags use `property`, Twitter's `name`. */
  attr: "property" | "name";
  key: string;
  content: string;
}

/** A description for previews: the first 200 characters of the description, on one line. */
export function summaryOf(video: Pick<VideoDto, "description" | "channel">): string {
  const text = video.description.replace(/\s+/g, " ").trim();
  if (!text)
    return video.channel
      ? `A video by ${video.channel.displayName} on Streamline.`
      : "A video on Streamline.";
  return text.length > 200 ? `${text.slice(0, 199).trimEnd()}…` : text;
}

/**
 * og:* and twitter:* for a video anyone may watch. The player card (og:video, twitter:player)
 * only when the video may be embedded; `origin` makes every URL absolute.
 */
export function openGraphTags(video: VideoDto, origin: string): MetaTag[] {
  const og = (key: string, content: string): MetaTag => ({ attr: "property", key, content });
  const tw = (key: string, content: string): MetaTag => ({ attr: "name", key, content });
  const watch = `${origin}/watch/${video.id}`;
  const tags: MetaTag[] = [
    og("og:site_name", "Streamline"),
    og("og:type", "video.other"),
    og("og:title", video.title),
    og("og:description", summaryOf(video)),
    og("og:url", watch),
    tw("twitter:title", video.title),
    tw("twitter:description", summaryOf(video)),
  ];
  if (video.thumbnailUrl) {
    // The stable poster address (it redirects to a freshly signed one): previews are fetched and
    // cached long after the page's own signed URL expires.
    const image = `${origin}/api/videos/${video.id}/thumbnail`;
    tags.push(og("og:image", image), tw("twitter:image", image));
  }
  if (video.durationSec) tags.push(og("video:duration", String(Math.round(video.durationSec))));
  if (video.embeddable) {
    const { width, height } = embedSize(video, {});
    const player = `${origin}/embed/${video.id}`;
    tags.push(
      og("og:video", player),
      og("og:video:secure_url", player),
      og("og:video:type", "text/html"),
      og("og:video:width", String(width)),
      og("og:video:height", String(height)),
      tw("twitter:card", "player"),
      tw("twitter:player", player),
      tw("twitter:player:width", String(width)),
      tw("twitter:player:height", String(height)),
    );
  } else {
    tags.push(tw("twitter:card", video.thumbnailUrl ? "summary_large_image" : "summary"));
  }
  return tags;
}

/** The oEmbed discovery link's href for a watch page. */
export function oembedHref(origin: string, videoId: string): string {
  return `${origin}/oembed?${new URLSearchParams({ url: `${origin}/watch/${videoId}`, format: "json" })}`;
}
