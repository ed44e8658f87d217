/** D1 access for search (ADR 0021): runs the statements search-sql.ts builds. */
import { inArray } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type VideoRow, videos } from "../../db/schema.ts";
import {
  type After,
  type ChannelMatch,
  channelMatchQuery,
  type VideoFilters,
  type VideoHighlights,
  type VideoMatch,
  type VideoSort,
  videoHighlightQuery,
  videoMatchQuery,
} from "./search-sql.ts";

export class SearchRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  matchVideos(
    match: string,
    opts: { sort: VideoSort; filters: VideoFilters; limit: number; after?: After },
  ): Promise<VideoMatch[]> {
    return this.db.all<VideoMatch>(videoMatchQuery(match, opts));
  }

  /** The marked title and description/caption windows of a page's rows, and those rows. */
  async pageOf(match: string, rids: number[], ids: string[]): Promise<[VideoHighlights[], VideoRow[]]> {
    if (rids.length === 0) return [[], []];
    return Promise.all([
      this.db.all<VideoHighlights>(videoHighlightQuery(match, rids)),
      this.db.select().from(videos).where(inArray(videos.id, ids)).all(),
    ]);
  }

  matchChannels(match: string, limit: number, after?: After): Promise<ChannelMatch[]> {
    return this.db.all<ChannelMatch>(channelMatchQuery(match, limit, after));
  }
}
