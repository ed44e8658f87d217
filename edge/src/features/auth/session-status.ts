/**
 * "Is this access token's session still live?" — asked on every authenticated request.
 * The answer comes from D1 and is remembered per isolate for a few seconds
 * (SESSION_CHECK_CACHE_SECONDS), so a burst of API calls costs one query. Revocations made
 * in this isolate are written straight into the cache, so they take effect here at once;
 * other isolates notice within the cache lifetime. Why this and not KV or a Durable
 * Object: docs/adr/0004-session-revocation-check.md.
 */

export interface SessionLookup {
  find(id: string): Promise<{ userId: string; revokedAt: number | null; expiresAt: number } | undefined>;
}

type Entry = { userId: string; live: boolean; expiresAt: number; until: number };

/** Revocation is final: remember it for as long as any access token of the session can live. */
const REVOKED_MEMORY_MS = 15 * 60_000;
const MAX_ENTRIES = 10_000;
const cache = new Map<string, Entry>();

function remember(sessionId: string, entry: Entry) {
  cache.delete(sessionId);
  cache.set(sessionId, entry);
  // Maps iterate in insertion order: the first key is the oldest.
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
}

export async function isSessionLive(
  lookup: SessionLookup,
  sessionId: string,
  userId: string,
  cacheMs: number,
  now = Date.now(),
): Promise<boolean> {
  let entry = cache.get(sessionId);
  if (!entry || entry.until <= now) {
    const row = await lookup.find(sessionId);
    const live = row !== undefined && row.revokedAt === null;
    entry = {
      userId: row?.userId ?? "",
      live,
      expiresAt: row?.expiresAt ?? 0,
      until: now + (row?.revokedAt != null ? REVOKED_MEMORY_MS : cacheMs),
    };
    if (cacheMs > 0 || !live) remember(sessionId, entry);
  }
  return entry.live && entry.userId === userId && entry.expiresAt > now;
}

/** Called by every revocation path (logout, revoke, refresh reuse) so this isolate stops trusting it now. */
export function markSessionRevoked(sessionId: string, now = Date.now()): void {
  remember(sessionId, { userId: "", live: false, expiresAt: 0, until: now + REVOKED_MEMORY_MS });
}

/** Tests only: start from a cold isolate. */
export function clearSessionStatusCache(): void {
  cache.clear();
}
