/**
 * Server side of `/c/:handle`: asks the edge API (over the site Worker's `API` service
 * binding) what the handle is — a channel, a handle given up that now redirects to another
 * one (the page answers 301 there), or nothing (the site's 404). Pure apart from `fetch`.
 */
import { type ChannelResponse, HANDLE_PATTERN } from "@streamline/contracts";

export type ChannelLookup =
  | { kind: "found"; data: ChannelResponse }
  | { kind: "moved"; handle: string }
  | { kind: "missing" }
  | { kind: "unavailable"; status: number };

type FetchLike = (request: Request) => Promise<Response>;

/** The handle segment of `/api/channels/<handle>[/…]`, from a redirect's Location. */
function handleFromLocation(location: string | null): string | null {
  if (!location) return null;
  const m = /^\/api\/channels\/([^/?#]+)/.exec(new URL(location, "http://x").pathname);
  return m ? decodeURIComponent(m[1]!) : null;
}

/**
 * `raw` is the handle as it appeared in the address. A differently-cased handle is the same
 * channel and moves to its canonical spelling; a malformed one is simply not found.
 */
export async function lookupChannel(fetcher: FetchLike, origin: string, raw: string): Promise<ChannelLookup> {
  const handle = raw.trim().toLowerCase();
  if (!HANDLE_PATTERN.test(handle)) return { kind: "missing" };
  const res = await fetcher(
    new Request(`${origin}/api/channels/${encodeURIComponent(handle)}`, {
      headers: { accept: "application/json" },
      redirect: "manual",
    }),
  );
  if (res.status === 301 || res.status === 308) {
    await res.body?.cancel();
    const moved = handleFromLocation(res.headers.get("location"));
    return moved ? { kind: "moved", handle: moved } : { kind: "unavailable", status: res.status };
  }
  if (res.status === 404) {
    await res.body?.cancel();
    return { kind: "missing" };
  }
  if (!res.ok) {
    await res.body?.cancel();
    return { kind: "unavailable", status: res.status };
  }
  const data = (await res.json()) as ChannelResponse;
  if (data.channel.handle !== raw) return { kind: "moved", handle: data.channel.handle };
  return { kind: "found", data };
}
