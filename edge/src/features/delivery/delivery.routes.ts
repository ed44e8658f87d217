/**
 * Signed media delivery: `/v/{videoId}/{token}/{path}`. Playlists, init files, segments
 * and images come from storage with Range, the right MIME type and cache headers. The
 * token lives in the path so every relative URI in a playlist inherits it. `manifest.mpd`
 * is the DASH manifest of a ready video, built from the same files (dash-manifest.ts).
 *
 * Every request checks the token against the video's current access (access-epoch.ts):
 * its visibility for the token's viewer and the access epoch, which goes up when the video
 * is made private. Playlists and WebVTT read the row itself (they stop resolving at once);
 * segments, init files and images read it through a per-isolate cache, so they stop within
 * ACCESS_EPOCH_CACHE_SECONDS. Nothing is cacheable by a shared cache (`private`), so no
 * proxy can keep serving a file past that bound. ADR 0003. Behind that check, immutable
 * files come through the edge's own media cache under a token-free key (media-cache.ts,
 * ADR 0030): one storage read per object, whoever's token asked.
 */
import { createRoute, type RouteHandler, z } from "@hono/zod-openapi";
import { VideoId } from "@streamline/contracts";
import type { Context } from "hono";
import type { VideoRow } from "../../db/schema.ts";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError } from "../../lib/errors.ts";
import { BINARY, errorDoc, openApiRouter } from "../../lib/openapi.ts";
import { TOKEN, VIDEO_ID } from "../../lib/openapi-examples.ts";
import { type ObjectStore, parseRangeHeader, StorageError } from "../../lib/storage/object-store.ts";
import { verifyPlaybackToken } from "../../lib/tokens.ts";
import { withSubtitles } from "../captions/caption-format.ts";
import { CaptionsRepo } from "../captions/captions.repo.ts";
import { currentAccess, rememberAccess, tokenStillGrants } from "../videos/access-epoch.ts";
import { downloadsEnabled } from "../videos/download-state.ts";
import { isOwner } from "../videos/video-access.ts";
import { renditionsOf } from "../videos/video-dto.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { resolveClipFile, sourceAdmits } from "./clip-delivery.ts";
import { buildMpd, parseMediaPlaylist } from "./dash-manifest.ts";
import { type CachedMedia, isCacheable, mediaCacheKey, readThroughCache } from "./media-cache.ts";
import { guardedRead } from "./storage-guard.ts";

const SAFE_PATH = /^(?:[A-Za-z0-9_-]+\/)*[A-Za-z0-9_-]+\.(m3u8|mpd|m4s|mp4|ts|aac|jpg|jpeg|webp|png|vtt)$/;
/** Static MP4s (ADR 0027) live under this folder of a video's prefix. */
const DOWNLOADS = "download/";
/** The DASH manifest's one name: built at serve time from the HLS media playlists. */
const DASH_MANIFEST = "manifest.mpd";

const MIME: Record<string, string> = {
  m3u8: "application/vnd.apple.mpegurl",
  mpd: "application/dash+xml",
  m4s: "video/iso.segment",
  mp4: "video/mp4",
  ts: "video/mp2t",
  aac: "audio/aac",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  png: "image/png",
  vtt: "text/vtt; charset=utf-8",
};

/**
 * Browsers may keep a segment or image for good (its URL holds the token, so a new epoch
 * means new URLs, and the bytes are already theirs); shared caches may not keep anything,
 * since every response depends on a check that can turn false.
 */
const IMMUTABLE = "private, max-age=31536000, immutable";
/** Playlists may still grow (progressive publishing), so they are cached briefly. */
const PLAYLIST = "private, max-age=2, stale-while-revalidate=2";
/** Captions can be replaced under the same name; the trick-play index follows the same rule. */
const TEXT_TRACK = "private, max-age=60";
const MASTER = "no-cache";

export const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, OPTIONS",
  "access-control-allow-headers": "range",
  "access-control-expose-headers": "content-length, content-range, accept-ranges, etag",
  "access-control-max-age": "86400",
};

/**
 * Media reads for this request, bounded and retried (storage-guard.ts): a storage fault is
 * a 502/504 with `Retry-After`, never a hang.
 */
function mediaOf(c: Context<AppEnv>): Pick<ObjectStore, "get"> {
  const { media, config } = c.var.services;
  return {
    get: (key, range) =>
      guardedRead(() => media.get(key, range), config.STORAGE_READ_TIMEOUT_MS, CORS_HEADERS),
  };
}

/** 404 with CORS, so a player on another origin sees the status rather than a network error. */
const missing = (message: string) => new AppError(404, "not_found", message, { headers: CORS_HEADERS });

function cacheControlFor(ext: string) {
  if (ext === "vtt") return TEXT_TRACK;
  return ext === "m3u8" ? PLAYLIST : IMMUTABLE;
}

/**
 * The master is a pointer in D1 (swapped atomically as renditions appear) and gets the
 * video's caption tracks added as a SUBTITLES group at serve time.
 */
async function serveMaster(c: Context<AppEnv>, video: VideoRow): Promise<Response> {
  const { services } = c.var;
  const id = video.id;
  if (!video.masterKey) throw missing("video is not playable yet");
  const [first, tracks] = await Promise.all([
    mediaOf(c).get(video.masterKey),
    new CaptionsRepo(services.db).list(id),
  ]);
  // The pointer moved (and the master it named was pruned) between our read and the get.
  const object = first ?? (await rereadMaster(c, id, video.masterKey));
  if (!object) throw missing("video is not playable yet");
  const master = withSubtitles(await new Response(object.body).text(), tracks);
  const headers = new Headers(CORS_HEADERS);
  headers.set("content-type", MIME.m3u8!);
  headers.set("cache-control", MASTER);
  headers.set("x-content-type-options", "nosniff");
  headers.set("content-length", String(new TextEncoder().encode(master).length));
  return new Response(c.req.method === "HEAD" ? null : master, { status: 200, headers });
}

/**
 * The DASH manifest of a ready video, from its renditions' media playlists (dash-manifest.ts,
 * ADR 0026). Not before `ready`: until then the playlists still grow, and a static MPD
 * would promise a duration the storage does not hold yet.
 */
async function serveDash(c: Context<AppEnv>, video: VideoRow): Promise<Response> {
  if (video.status !== "ready") throw missing("DASH is served once the video is ready");
  const media = mediaOf(c);
  const items = await Promise.all(
    renditionsOf(video).map(async (rendition) => {
      const playlistKey = `videos/${video.id}/${rendition.playlist}`;
      const object = await media.get(playlistKey);
      const playlist = object ? parseMediaPlaylist(await new Response(object.body).text()) : null;
      const dir = rendition.playlist.split("/").slice(0, -1).join("/");
      return playlist && dir ? { rendition, dir, playlist } : null;
    }),
  );
  const mpd = buildMpd(items.filter((i) => i !== null));
  if (!mpd) throw missing("no rendition can be described in DASH");
  const headers = new Headers(CORS_HEADERS);
  headers.set("content-type", MIME.mpd!);
  headers.set("cache-control", MASTER);
  headers.set("x-content-type-options", "nosniff");
  headers.set("content-length", String(new TextEncoder().encode(mpd).length));
  return new Response(c.req.method === "HEAD" ? null : mpd, { status: 200, headers });
}

async function rereadMaster(c: Context<AppEnv>, id: string, staleKey: string) {
  const fresh = await new VideosRepo(c.var.services.db).find(id);
  return fresh?.masterKey && fresh.masterKey !== staleKey ? mediaOf(c).get(fresh.masterKey) : null;
}

const params = z.object({
  id: VideoId.meta({ example: VIDEO_ID }),
  token: z.string().meta({ example: TOKEN }),
  path: z.string().meta({ example: "720p/seg-00001.m4s", description: "File under the video's prefix" }),
});
/** `{path{.+}}`: hono's regex param (the rest of the path, slashes included); `{path}` in the document. */
const PATH = "/{id}/{token}/{path{.+}}";
const tags = ["delivery"];

const corsHeaders = Object.fromEntries(
  Object.keys(CORS_HEADERS).map((h) => [h, { schema: { type: "string" as const } }]),
);
const mediaHeaders = {
  ...corsHeaders,
  "cache-control": {
    schema: { type: "string" as const },
    description:
      "Private everywhere; immutable for segments and images, seconds for playlists and text tracks",
  },
  "accept-ranges": { schema: { type: "string" as const } },
  etag: { schema: { type: "string" as const } },
  "x-media-cache": {
    schema: { type: "string" as const, enum: ["hit", "miss"] },
    description:
      "Segments, init files and images: read from the edge's media cache, or from storage (ADR 0030)",
  },
  "content-length": { schema: { type: "integer" as const } },
};
const media = Object.fromEntries(
  [...new Set(Object.values(MIME))].map((type) => [
    type,
    {
      schema:
        type.startsWith("application/vnd.apple") || type.startsWith("text/")
          ? { type: "string" as const }
          : BINARY,
    },
  ]),
);
const deliveryErrors = {
  403: errorDoc(403, { code: "token_expired", message: "playback link expired; reload the page" }),
  404: errorDoc(404, { message: "file not found" }),
  416: errorDoc(416),
  502: errorDoc(502, { code: "storage_unavailable", message: "storage is unavailable; try again" }),
  504: errorDoc(504, { code: "storage_timeout", message: "storage did not answer in time; try again" }),
};

const fetchRoute = (method: "get" | "head") =>
  createRoute({
    method,
    path: PATH,
    tags,
    summary:
      method === "get"
        ? "Signed media: playlists, DASH manifest, segments, images, captions"
        : "Signed media: headers only",
    description:
      "The token in the path authorises the request, so every relative URI in a playlist inherits it. " +
      "Every request re-checks the video's visibility and access epoch: once the video is made private, " +
      "older tokens get 404 at once for playlists and WebVTT, and within ACCESS_EPOCH_CACHE_SECONDS " +
      "(default 30 s) for segments and images. The owner's tokens keep working.",
    request: {
      params,
      headers: z.object({ range: z.string().optional().meta({ example: "bytes=0-1023" }) }),
    },
    responses: {
      200: { description: "The file", headers: mediaHeaders, content: method === "get" ? media : {} },
      206: {
        description: "The requested range",
        headers: { ...mediaHeaders, "content-range": { schema: { type: "string" as const } } },
        content: method === "get" ? media : {},
      },
      ...deliveryErrors,
    },
  });

const preflight = createRoute({
  method: "options",
  path: PATH,
  tags,
  summary: "CORS preflight for media (any origin)",
  request: { params },
  responses: { 204: { description: "Allowed", headers: corsHeaders } },
});

const serve: RouteHandler<ReturnType<typeof fetchRoute>, AppEnv> = async (c) => {
  const { id, token } = c.req.valid("param");
  const path = c.req.path.split("/").slice(4).join("/");
  const { services } = c.var;

  const check = await verifyPlaybackToken(services.config.DELIVERY_SECRET, id, token);
  if (!check.ok) {
    const message =
      check.reason === "expired" ? "playback link expired; reload the page" : "invalid playback link";
    throw new AppError(403, check.reason === "expired" ? "token_expired" : "forbidden", message, {
      headers: CORS_HEADERS,
    });
  }
  const match = SAFE_PATH.exec(path);
  if (!match) throw missing("no such file");
  const ext = match[1]!;

  const cacheMs = services.config.ACCESS_EPOCH_CACHE_SECONDS * 1000;
  const repo = new VideosRepo(services.db);
  // Playlists, text tracks and downloads read the row itself (the master needs it anyway)
  // and refresh the cache; segments and images read it through the cache.
  const fresh = ext === "m3u8" || ext === "vtt" || ext === "mpd" || path.startsWith(DOWNLOADS);
  const video = fresh ? ((await repo.find(id)) ?? null) : undefined;
  if (video !== undefined) rememberAccess(id, video, cacheMs);
  const access = video !== undefined ? video : await currentAccess(repo, id, cacheMs);
  if (!access || !tokenStillGrants(access, check)) throw missing("video not found");
  if (access.clipOf) return serveClip(c, video ?? null, access.clipOf, path, ext, check.viewer);
  if (video && path === "master.m3u8") return serveMaster(c, video);
  if (video && path === DASH_MANIFEST) return serveDash(c, video);
  if (ext === "mpd") throw missing("no such file");
  if (video && path.startsWith(DOWNLOADS)) return serveDownload(c, video, path, check.viewer);
  return serveObject(c, `videos/${id}/${path}`, ext);
};

/** A clip's path: its source's files, media playlists cut to its range (clip-delivery.ts, ADR 0027). */
async function serveClip(
  c: Context<AppEnv>,
  clip: VideoRow | null,
  sourceId: string,
  path: string,
  ext: string,
  viewer: string | null,
): Promise<Response> {
  const { services } = c.var;
  const repo = new VideosRepo(services.db);
  const cacheMs = services.config.ACCESS_EPOCH_CACHE_SECONDS * 1000;
  if (!(await sourceAdmits(repo, sourceId, viewer, cacheMs, clip !== null))) throw missing("video not found");
  const file = await resolveClipFile(services, repo, clip, sourceId, path, ext);
  if (!file) throw missing("no such file");
  if ("key" in file) return serveObject(c, file.key, ext);
  const headers = new Headers(CORS_HEADERS);
  headers.set("content-type", MIME.m3u8!);
  headers.set("cache-control", PLAYLIST);
  headers.set("x-content-type-options", "nosniff");
  headers.set("content-length", String(new TextEncoder().encode(file.playlist).length));
  return new Response(c.req.method === "HEAD" ? null : file.playlist, { status: 200, headers });
}

/**
 * A static MP4 (`download/{rung}.mp4`, ADR 0027): for the owner's tokens always, for anyone
 * else's only while downloads are on for the video; sent as an attachment.
 */
async function serveDownload(
  c: Context<AppEnv>,
  video: VideoRow,
  path: string,
  viewer: string | null,
): Promise<Response> {
  if (!isOwner(video, viewer) && !downloadsEnabled(video, c.var.services.config))
    throw missing("no such file");
  const res = await serveObject(c, `videos/${video.id}/${path}`, "mp4");
  const rung = path.slice(DOWNLOADS.length, -".mp4".length);
  const title = video.title
    .replace(/[^A-Za-z0-9 ._-]+/g, "_")
    .slice(0, 80)
    .trim();
  const name = `${title || video.id}-${rung}.mp4`;
  res.headers.set("content-disposition", `attachment; filename="${name}"`);
  return res;
}

/** A stored file with Range, its MIME type and the cache policy for its kind. */
async function serveObject(c: Context<AppEnv>, key: string, ext: string): Promise<Response> {
  const range = parseRangeHeader(c.req.header("range"));
  if (range === "invalid")
    throw new AppError(416, "range_not_satisfiable", "bad Range header", { headers: CORS_HEADERS });
  const cached = await readCached(c, key, ext);
  if (cached === "absent") throw missing("file not found");
  if (cached) return mediaResponse(c, ext, cached);
  let object: Awaited<ReturnType<AppEnv["Variables"]["services"]["media"]["get"]>>;
  try {
    object = await mediaOf(c).get(key, range ?? undefined);
  } catch (err) {
    if (err instanceof StorageError && err.status === 416) throw unsatisfiable();
    throw err;
  }
  if (!object) throw missing("file not found");
  return mediaResponse(c, ext, {
    status: object.range ? 206 : 200,
    source: undefined,
    size: object.size,
    etag: object.etag || undefined,
    range: object.range,
    body: object.body,
  });
}

const unsatisfiable = () =>
  new AppError(416, "range_not_satisfiable", "range outside the file", { headers: CORS_HEADERS });

/** Immutable media through the edge's cache (media-cache.ts, ADR 0030); null = read storage. */
async function readCached(c: Context<AppEnv>, key: string, ext: string) {
  const { config, media } = c.var.services;
  if (!config.MEDIA_CACHE_SECONDS || !isCacheable(ext, key)) return null;
  const deps = {
    cache: caches.default,
    media,
    ttlSeconds: config.MEDIA_CACHE_SECONDS,
    waitUntil: (p: Promise<unknown>) => c.executionCtx.waitUntil(p),
  };
  const cacheKey = mediaCacheKey(new URL(c.req.url).origin, key);
  return guardedRead(
    () => readThroughCache(deps, cacheKey, key, c.req.header("range")),
    config.STORAGE_READ_TIMEOUT_MS,
    CORS_HEADERS,
  );
}

type Served = Omit<CachedMedia, "source"> & { source: CachedMedia["source"] | undefined };

function mediaResponse(c: Context<AppEnv>, ext: string, served: Served): Response {
  if (served.status === 416) throw unsatisfiable();
  const headers = new Headers(CORS_HEADERS);
  headers.set("content-type", MIME[ext]!);
  headers.set("cache-control", cacheControlFor(ext));
  headers.set("accept-ranges", "bytes");
  headers.set("x-content-type-options", "nosniff");
  if (served.source) headers.set("x-media-cache", served.source);
  if (served.etag) headers.set("etag", served.etag);
  if (served.range) {
    const { offset, length } = served.range;
    headers.set("content-range", `bytes ${offset}-${offset + length - 1}/${served.size}`);
    headers.set("content-length", String(length));
  } else {
    headers.set("content-length", String(served.size));
  }
  if (c.req.method === "HEAD") {
    void served.body?.cancel();
    return new Response(null, { status: served.status, headers });
  }
  return new Response(served.body, { status: served.status, headers });
}

export const deliveryRoutes = openApiRouter()
  .openapi(preflight, (c) => c.body(null, 204, CORS_HEADERS))
  .openapi(fetchRoute("get"), serve)
  .openapi(fetchRoute("head"), serve);
