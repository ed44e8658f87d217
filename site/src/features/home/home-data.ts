/**
 * Server side of the home page: the first page of public videos, asked of the edge API
 * (over the site Worker's `API` binding). Null when the API could not answer: the page then
 * asks for itself in the browser, with its error and retry.
 */
import type { VideoListResponse } from "@streamline/contracts";

/** Six rows of four at 1280 px; "Load more" brings the next 24. */
export const HOME_PAGE_SIZE = 24;

/** The site Worker's `HOME_PAGE_SIZE` variable (1–60), else 24. */
export function homePageSize(raw: string | undefined): number {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 60 ? n : HOME_PAGE_SIZE;
}

type FetchLike = (request: Request) => Promise<Response>;

export async function loadFirstPage(
  fetcher: FetchLike,
  origin: string,
  limit: number,
): Promise<VideoListResponse | null> {
  try {
    const res = await fetcher(
      new Request(`${origin}/api/videos?limit=${limit}`, { headers: { accept: "application/json" } }),
    );
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    const body = (await res.json()) as Partial<VideoListResponse>;
    return Array.isArray(body.videos) ? { videos: body.videos, nextCursor: body.nextCursor ?? null } : null;
  } catch {
    return null;
  }
}
