/**
 * The edge's cache of immutable media (ADR 0030). Every viewer's segment URL holds their own
 * token, so no URL-keyed cache can share a segment between two viewers; this module keeps
 * segments, init files, posters and sprites in the Workers Cache API (`caches.default`)
 * under a token-free key, `{origin}/__media-cache/videos/{id}/{path}`.
 *
 * It is only ever reached AFTER delivery has checked the token against the video's current
 * access (delivery.routes.ts): a deleted, private or taken-down video is refused before any
 * cache lookup, so a cached copy can never be served past the check. Playlists, WebVTT and
 * the DASH manifest never come here (they are built per request or may still grow).
 *
 * A miss reads the whole object once, answers the caller from it (sliced to the Range asked
 * for) and puts it into the cache in the background. Concurrent misses for one object in one isolate
 * wait for that fill (the in-flight map) and then answer from the cache; the wait is bounded,
 * since workerd may never settle a promise whose request was cancelled.
 */
import { errorMessage, log } from "../../lib/log.ts";
import { type ObjectStore, parseRangeHeader, type StoredObject } from "../../lib/storage/object-store.ts";

/** Extensions whose objects never change under their name once published. */
const CACHEABLE = new Set(["m4s", "mp4", "ts", "aac", "jpg", "jpeg", "webp", "png"]);
/**
 * Bigger objects are served straight from storage, ranged: a fill holds the whole object in
 * memory (an isolate has 128 MB), and a Range miss on a big file would read all of it.
 */
export const MAX_CACHED_BYTES = 16 * 1024 * 1024;
/** How long a concurrent miss waits for the fill it joined before reading storage itself. */
export const FOLLOW_WAIT_MS = 5_000;

/**
 * Whether the object at `storageKey` (of extension `ext`) goes through the cache. Static MP4
 * downloads (`download/…`, ADR 0027) do not: each is fetched once per person, mostly too big
 * for a fill, and rebuilt on demand under the same name.
 */
export const isCacheable = (ext: string, storageKey: string) =>
  CACHEABLE.has(ext) && !/^videos\/[^/]+\/download\//.test(storageKey);

export const mediaCacheKey = (origin: string, storageKey: string) => `${origin}/__media-cache/${storageKey}`;

/** Fills under way in this isolate, by cache key: settle when the object is in the cache. */
const inflight = new Map<string, Promise<unknown>>();

/** What the caller gets: the response's status, headers worth keeping, and the body. */
export interface CachedMedia {
  status: 200 | 206 | 416;
  /** `hit`: read from the cache; `miss`: read from storage by this request (and cached). */
  source: "hit" | "miss";
  size: number;
  etag: string | undefined;
  range: { offset: number; length: number } | undefined;
  body: ReadableStream<Uint8Array> | null;
}

export interface MediaCacheDeps {
  cache: Cache;
  media: Pick<ObjectStore, "get">;
  ttlSeconds: number;
  waitUntil: (p: Promise<unknown>) => void;
}

/**
 * The object at `storageKey` through the cache; `"absent"` when the storage has no such
 * object, `null` when it is too big to cache (the caller then reads storage itself, ranged).
 */
export async function readThroughCache(
  deps: MediaCacheDeps,
  cacheKey: string,
  storageKey: string,
  rangeHeader: string | undefined,
): Promise<CachedMedia | "absent" | null> {
  const before = inflight.get(cacheKey);
  if (before) await bounded(before, FOLLOW_WAIT_MS);
  const hit = await lookup(deps.cache, cacheKey, rangeHeader);
  if (hit) return hit;
  // Another request may have started the fill while this one looked.
  const during = inflight.get(cacheKey);
  if (during && during !== before) {
    await bounded(during, FOLLOW_WAIT_MS);
    const joined = await lookup(deps.cache, cacheKey, rangeHeader);
    if (joined) return joined;
  }
  return fill(deps, cacheKey, storageKey, rangeHeader);
}

async function lookup(cache: Cache, cacheKey: string, rangeHeader: string | undefined) {
  const res = await cache.match(
    new Request(cacheKey, rangeHeader ? { headers: { range: rangeHeader } } : {}),
  );
  if (!res) return null;
  return fromCachedResponse(res);
}

function fromCachedResponse(res: Response): CachedMedia {
  const etag = res.headers.get("etag") ?? undefined;
  if (res.status === 416) {
    void res.body?.cancel();
    return { status: 416, source: "hit", size: 0, etag, range: undefined, body: null };
  }
  const contentRange = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers.get("content-range") ?? "");
  if (res.status === 206 && contentRange) {
    const [, first, last, total] = contentRange.map(Number) as [number, number, number, number];
    const range = { offset: first, length: last - first + 1 };
    return { status: 206, source: "hit", size: total, etag, range, body: res.body };
  }
  const size = Number(res.headers.get("content-length") ?? "0");
  return { status: 200, source: "hit", size, etag, range: undefined, body: res.body };
}

/** One storage read: the whole object, teed into the cache and (sliced) to the caller. */
async function fill(
  deps: MediaCacheDeps,
  cacheKey: string,
  storageKey: string,
  rangeHeader: string | undefined,
): Promise<CachedMedia | "absent" | null> {
  // Registered before the first await, so requests arriving from now on join this fill.
  let done!: () => void;
  const settled = new Promise<void>((resolve) => {
    done = resolve;
  }).finally(() => inflight.delete(cacheKey));
  inflight.set(cacheKey, settled);
  let putStarted = false;
  try {
    const object = await deps.media.get(storageKey);
    if (!object) return "absent";
    if (object.size > MAX_CACHED_BYTES) {
      await object.body.cancel();
      return null;
    }
    // Buffered, not teed: a tee ties the cache's copy to the pace of this caller's reads,
    // and every request that joined this fill would wait on the slowest of them.
    const bytes = new Uint8Array(await new Response(object.body).arrayBuffer());
    putStarted = true;
    const put = deps.cache
      .put(new Request(cacheKey), storedResponse(object, bytes, deps.ttlSeconds))
      .catch((err) => log.warn("media cache put failed", { cacheKey, error: errorMessage(err) }))
      .finally(done);
    deps.waitUntil(put);
    return forCaller(object, bytes, rangeHeader);
  } finally {
    if (!putStarted) done();
  }
}

function storedResponse(object: StoredObject, body: Uint8Array, ttlSeconds: number) {
  const headers = new Headers({
    "content-length": String(object.size),
    // The cached copy's own lifetime; callers always get `private` (delivery.routes.ts).
    "cache-control": `public, max-age=${ttlSeconds}`,
  });
  if (object.etag) headers.set("etag", object.etag);
  if (object.contentType) headers.set("content-type", object.contentType);
  return new Response(body, { status: 200, headers });
}

function forCaller(object: StoredObject, bytes: Uint8Array, rangeHeader: string | undefined): CachedMedia {
  const base = { source: "miss" as const, size: bytes.byteLength, etag: object.etag || undefined };
  const range = resolveRange(rangeHeader, bytes.byteLength);
  if (range === "unsatisfiable") return { ...base, status: 416, range: undefined, body: null };
  const part = range ? bytes.subarray(range.offset, range.offset + range.length) : bytes;
  return { ...base, status: range ? 206 : 200, range: range ?? undefined, body: new Response(part).body };
}

/** A parsed Range against a known size (the header was validated by the caller). */
export function resolveRange(
  rangeHeader: string | undefined,
  size: number,
): { offset: number; length: number } | "unsatisfiable" | null {
  const range = parseRangeHeader(rangeHeader);
  if (!range || range === "invalid") return null;
  if ("suffix" in range) {
    const length = Math.min(range.suffix, size);
    return length === 0 ? "unsatisfiable" : { offset: size - length, length };
  }
  if (range.offset >= size) return "unsatisfiable";
  const length = Math.min(range.length ?? size - range.offset, size - range.offset);
  return { offset: range.offset, length };
}

function bounded(p: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
