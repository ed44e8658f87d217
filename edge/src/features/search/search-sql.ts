/**
 * The SQL of search (ADR 0021), built with drizzle's `sql` over the FTS5 tables of
 * migration 0017 (not in schema.ts: drizzle does not model virtual tables). Builders only —
 * search.repo.ts runs them; bench/discovery/search.ts renders the very same statements.
 * Video matches are filtered and sorted on the mapping table's listing columns (migration
 * 0022: `listable` is `listableVideo()` kept by triggers, so a match costs one integer-key
 * lookup, not a join to `videos` and `users`); channel queries leave out suspended users.
 */
import { and, type SQL, sql } from "drizzle-orm";
import { videos } from "../../db/schema.ts";
import { listableVideo } from "../videos/listable.ts";
import { MARK_CLOSE, MARK_OPEN } from "./highlight.ts";

/** bm25 column weights of search_videos_fts: title, tags, channel, description, captions. */
export const VIDEO_WEIGHTS = [10, 5, 3, 2, 1] as const;
/** bm25 column weights of search_channels_fts: name, handle, description. */
export const CHANNEL_WEIGHTS = [10, 10, 1] as const;
/** Words of context either side of a description / caption match. */
const SNIPPET_TOKENS = 24;

const videoScore = sql.raw(`bm25(search_videos_fts, ${VIDEO_WEIGHTS.join(", ")})`);
const channelScore = sql.raw(`bm25(search_channels_fts, ${CHANNEL_WEIGHTS.join(", ")})`);
/** highlight()/snippet() markers: MARK_OPEN and MARK_CLOSE of highlight.ts. */
const marks = sql.raw(`char(${MARK_OPEN.charCodeAt(0)}), char(${MARK_CLOSE.charCodeAt(0)})`);
/** The listing columns of `search_video_rows r` (migration 0022), as their `videos` sources. */
const row = {
  id: sql.raw("r.video_id"),
  /** coalesce(videos.published_at, videos.created_at) */
  publishedAt: sql.raw("r.published_at"),
  viewCount: sql.raw("r.view_count"),
  durationSec: sql.raw("r.duration_sec"),
};

export type VideoSort = "relevance" | "date" | "views";

export interface VideoFilters {
  minSec?: number;
  maxSec?: number;
  /** Published at or after (ms). */
  since?: number;
}

/** Where the last page ended: its sort value and id. */
export interface After {
  v: number;
  id: string;
}

export interface VideoMatch {
  id: string;
  rid: number;
  score: number;
  publishedAt: number;
  viewCount: number;
}

export interface VideoHighlights {
  rid: number;
  title: string;
  description: string;
  captions: string;
}

export interface ChannelMatch {
  userId: string;
  handle: string;
  displayName: string;
  description: string;
  avatarKey: string | null;
  subscriberCount: number;
  videoCount: number;
  score: number;
  name: string;
  handleMarked: string;
}

/** Sort value of a row as the cursor carries it, per sort. */
export function sortValue(sort: VideoSort, m: VideoMatch): number {
  return sort === "relevance" ? m.score : sort === "date" ? m.publishedAt : m.viewCount;
}

function keyset(sort: VideoSort, after: After): SQL {
  if (sort === "relevance") {
    return sql`(${videoScore} > ${after.v} or (${videoScore} = ${after.v} and ${row.id} > ${after.id}))`;
  }
  const column = sort === "date" ? row.publishedAt : row.viewCount;
  return sql`(${column} < ${after.v} or (${column} = ${after.v} and ${row.id} < ${after.id}))`;
}

function filterConditions(f: VideoFilters): SQL[] {
  const conds: SQL[] = [];
  if (f.minSec !== undefined) conds.push(sql`${row.durationSec} >= ${f.minSec}`);
  if (f.maxSec !== undefined) conds.push(sql`${row.durationSec} < ${f.maxSec}`);
  if (f.since !== undefined) conds.push(sql`${row.publishedAt} >= ${f.since}`);
  return conds;
}

const ORDER: Record<VideoSort, SQL> = {
  relevance: sql`score asc, ${row.id} asc`,
  date: sql`${row.publishedAt} desc, ${row.id} desc`,
  views: sql`${row.viewCount} desc, ${row.id} desc`,
};

/**
 * One page of matching listable videos: ids and sort values only (highlights come per page).
 * bm25 is computed for the relevance sort only (the other sorts' cursors never carry it).
 */
export function videoMatchQuery(
  match: string,
  opts: { sort: VideoSort; filters: VideoFilters; limit: number; after?: After },
): SQL {
  const conds = [
    sql`search_videos_fts match ${match}`,
    sql`r.listable = 1`,
    ...filterConditions(opts.filters),
  ];
  if (opts.after) conds.push(keyset(opts.sort, opts.after));
  const score = opts.sort === "relevance" ? videoScore : sql`0`;
  return sql`select ${row.id} as id, search_videos_fts.rowid as rid,
      ${score} as score, ${row.publishedAt} as publishedAt, ${row.viewCount} as viewCount
    from search_videos_fts
    join search_video_rows r on r.rowid = search_videos_fts.rowid
    where ${and(...conds)}
    order by ${ORDER[opts.sort]}
    limit ${opts.limit}`;
}

/**
 * The marked title and description/caption windows of one page's rows. `+rowid` keeps the
 * rowid list out of FTS5's plan: given `rowid IN (…)`, FTS5 runs the MATCH once per listed
 * rowid, re-reading every term's doclist each time (17 ms for 20 rows of a two-word query on
 * 100,000 videos); filtered after one pass over the matches it is 1 ms.
 */
export function videoHighlightQuery(match: string, rids: number[]): SQL {
  return sql`select rowid as rid,
      highlight(search_videos_fts, 0, ${marks}) as title,
      snippet(search_videos_fts, 3, ${marks}, '…', ${SNIPPET_TOKENS}) as description,
      snippet(search_videos_fts, 4, ${marks}, '…', ${SNIPPET_TOKENS}) as captions
    from search_videos_fts
    where search_videos_fts match ${match} and +rowid in (${sql.join(
      rids.map((r) => sql`${r}`),
      sql`, `,
    )})`;
}

/** Channels of users not suspended matching `match`, best first; keyset on (score, userId). */
export function channelMatchQuery(match: string, limit: number, after?: After): SQL {
  const conds = [sql`search_channels_fts match ${match}`, sql`u.suspended_at is null`];
  if (after) {
    conds.push(sql`(${channelScore} > ${after.v} or (${channelScore} = ${after.v} and u.id > ${after.id}))`);
  }
  // The page is chosen first; its video counts (a count per channel) are taken for its rows only.
  return sql`select m.*,
      (select count(*) from ${videos} where ${videos.ownerId} = m.userId and ${and(...listableVideo())}) as videoCount
    from (select u.id as userId, u.handle as handle,
        c.display_name as displayName, substr(c.description, 1, 200) as description,
        c.avatar_key as avatarKey, c.subscriber_count as subscriberCount,
        ${channelScore} as score,
        highlight(search_channels_fts, 0, ${marks}) as name,
        highlight(search_channels_fts, 1, ${marks}) as handleMarked
      from search_channels_fts
      join search_channel_rows r on r.rowid = search_channels_fts.rowid
      join users u on u.id = r.user_id
      join channels c on c.user_id = u.id
      where ${and(...conds)}
      order by score asc, u.id asc
      limit ${limit}) m
    order by m.score asc, m.userId asc`;
}
