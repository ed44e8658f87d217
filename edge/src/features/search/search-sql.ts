/**
 * The SQL of search (ADR 0021), built with drizzle's `sql` over the FTS5 tables of
 * migration 0017 (not in schema.ts: drizzle does not model virtual tables). Builders only —
 * search.repo.ts runs them; bench/discovery/search.ts renders the very same statements.
 * Video queries start from `listableVideo()`; channel queries leave out suspended users.
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
const publishedAt = sql`coalesce(${videos.publishedAt}, ${videos.createdAt})`;

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
    return sql`(${videoScore} > ${after.v} or (${videoScore} = ${after.v} and ${videos.id} > ${after.id}))`;
  }
  const column = sort === "date" ? publishedAt : sql`${videos.viewCount}`;
  return sql`(${column} < ${after.v} or (${column} = ${after.v} and ${videos.id} < ${after.id}))`;
}

function filterConditions(f: VideoFilters): SQL[] {
  const conds: SQL[] = [];
  if (f.minSec !== undefined) conds.push(sql`${videos.durationSec} >= ${f.minSec}`);
  if (f.maxSec !== undefined) conds.push(sql`${videos.durationSec} < ${f.maxSec}`);
  if (f.since !== undefined) conds.push(sql`${publishedAt} >= ${f.since}`);
  return conds;
}

const ORDER: Record<VideoSort, SQL> = {
  relevance: sql`score asc, ${videos.id} asc`,
  date: sql`${publishedAt} desc, ${videos.id} desc`,
  views: sql`${videos.viewCount} desc, ${videos.id} desc`,
};

/** One page of matching listable videos: ids and sort values only (highlights come per page). */
export function videoMatchQuery(
  match: string,
  opts: { sort: VideoSort; filters: VideoFilters; limit: number; after?: After },
): SQL {
  const conds = [
    sql`search_videos_fts match ${match}`,
    ...listableVideo(),
    ...filterConditions(opts.filters),
  ];
  if (opts.after) conds.push(keyset(opts.sort, opts.after));
  return sql`select ${videos.id} as id, search_videos_fts.rowid as rid,
      ${videoScore} as score, ${publishedAt} as publishedAt, ${videos.viewCount} as viewCount
    from search_videos_fts
    join search_video_rows r on r.rowid = search_videos_fts.rowid
    join ${videos} on ${videos.id} = r.video_id
    where ${and(...conds)}
    order by ${ORDER[opts.sort]}
    limit ${opts.limit}`;
}

/** The marked title and description/caption windows of one page's rows. */
export function videoHighlightQuery(match: string, rids: number[]): SQL {
  return sql`select rowid as rid,
      highlight(search_videos_fts, 0, ${marks}) as title,
      snippet(search_videos_fts, 3, ${marks}, '…', ${SNIPPET_TOKENS}) as description,
      snippet(search_videos_fts, 4, ${marks}, '…', ${SNIPPET_TOKENS}) as captions
    from search_videos_fts
    where search_videos_fts match ${match} and rowid in (${sql.join(
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
  return sql`select u.id as userId, u.handle as handle,
      c.display_name as displayName, substr(c.description, 1, 200) as description,
      c.avatar_key as avatarKey, c.subscriber_count as subscriberCount,
      (select count(*) from ${videos} where ${videos.ownerId} = u.id and ${and(...listableVideo())}) as videoCount,
      ${channelScore} as score,
      highlight(search_channels_fts, 0, ${marks}) as name,
      highlight(search_channels_fts, 1, ${marks}) as handleMarked
    from search_channels_fts
    join search_channel_rows r on r.rowid = search_channels_fts.rowid
    join users u on u.id = r.user_id
    join channels c on c.user_id = u.id
    where ${and(...conds)}
    order by score asc, u.id asc
    limit ${limit}`;
}
