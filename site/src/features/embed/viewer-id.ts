/**
 * The embed page's viewer id (ADR 0029). In another site's iframe the edge's `sl_viewer` cookie
 * is never sent back (SameSite=Lax, and browsers block third-party cookies), so views would
 * never count. The page keeps its own id — the same shape as the cookie's — in localStorage,
 * which browsers partition by the embedding site: one viewer per browser and site, as a
 * partitioned cookie would be. Without storage (blocked), an id for this page load only.
 */
const KEY = "streamline.viewer";
const VIEWER_ID = /^[A-Za-z0-9]{24}$/;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function newViewerId(
  random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n)),
): string {
  // 248 = 62 × 4: rejecting bytes above it keeps every character equally likely.
  let id = "";
  while (id.length < 24) {
    for (const byte of random(32)) {
      if (byte < 248 && id.length < 24) id += ALPHABET[byte % 62];
    }
  }
  return id;
}

type StorageLike = Pick<Storage, "getItem" | "setItem">;

export function storedViewerId(storage: () => StorageLike | null, mint: () => string = newViewerId): string {
  let store: StorageLike | null = null;
  try {
    store = storage();
    const kept = store?.getItem(KEY);
    if (kept && VIEWER_ID.test(kept)) return kept;
  } catch {
    // Storage blocked (a sandboxed frame, a browser setting): an id for this page only.
  }
  const id = mint();
  try {
    store?.setItem(KEY, id);
  } catch {
    // Full or blocked: still counted, as one viewer for this page load.
  }
  return id;
}
