/**
 * "Up next" candidates in D1 (ADR 0022): one statement gathers a bounded set of videos by
 * index — the source's channel, its tags, its category, what its recent viewers also
 * watched, the trending head and the newest — and returns, for each listable one, the
 * features the score needs. No statement reads more than a few hundred index rows,
 * whatever the catalogue's size.
 */
import { inArray, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type VideoRow, videos } from "../../db/schema.ts";

/** Per-source bounds of each candidate set. */
export const CANDIDATE_LIMITS = {
  channel: 40,
  category: 40,
  /** Tag-mates on each side of the source's id, per tag. */
  tagSide: 30,
  /** Recent viewers of the source, and recent videos of each of them. */
  viewers: 50,
  perViewer: 20,
  trending: 30,
  newest: 30,
} as const;

/** What the score (related-score.ts) reads of one candidate. */
export interface Candidate {
  id: string;
  ownerId: string | null;
  category: string | null;
  viewCount: number;
  publishedAt: number | null;
  /** Tags it shares with the source (exact, whichever set found it). */
  sharedTags: number;
  /** Recent viewers of the source who also watched it. */
  coViewers: number;
}

export interface Source {
  id: string;
  ownerId: string | null;
  category: string | null;
  tags: readonly string[];
}

/** A constant of this module inlined (D1 binds at most 100 parameters per statement). */
const n = (value: number) => sql.raw(String(Math.trunc(value)));

/**
 * `listableVideo()` for the candidate row, each term with a unary `+` so the planner looks
 * rows up by id from the candidate sets instead of walking every public video's index.
 */
const LISTABLE = sql`+v.visibility = 'public' and +v.status = 'ready' and v.taken_down_at is null
  and not exists (select 1 from users su where su.id = v.owner_id and su.suspended_at is not null)`;
const PUBLISHED = sql`visibility = 'public' and status = 'ready' and published_at is not null`;

export class RelatedRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /**
   * Listable candidates for `source` with their features; never the source itself, nor
   * (for a signed-in `viewerId`) what that viewer finished — history stores position 0
   * for a finished video (ADR 0016).
   */
  async candidates(source: Source, viewerId: string | null): Promise<Candidate[]> {
    return this.db.all<Candidate>(candidatesSql(source, viewerId));
  }

  /** Full rows of the chosen ids, in the order given. */
  async rows(ids: string[]): Promise<VideoRow[]> {
    if (!ids.length) return [];
    const rows = await this.db.select().from(videos).where(inArray(videos.id, ids)).all();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }
}

/**
 * The candidates statement (exported for its query-plan test). Candidate sets are joined
 * as `id IN (…) OR id IN (…)` — SQLite answers each from its own index — rather than as a
 * UNION, whose terms D1 caps.
 */
export function candidatesSql(source: Source, viewerId: string | null): SQL {
  const tags = JSON.stringify(source.tags);
  return sql`with
      src(id) as (select ${source.id}),
      viewers as (${recentViewers(source.id, viewerId)}),
      co as (${coWatched(source.id)})
      select v.id, v.owner_id as ownerId, v.category, v.view_count as viewCount,
        v.published_at as publishedAt,
        (select count(*) from video_tags t where t.video_id = v.id
          and t.tag in (select value from json_each(${tags}))) as sharedTags,
        coalesce((select n from co where co.id = v.id), 0) as coViewers
      from videos v
      where (${candidateSets(source, tags)})
        and v.id <> ${source.id} and ${LISTABLE}
        and not exists (select 1 from watch_history f
          where f.user_id = ${viewerId ?? ""} and f.video_id = v.id and f.position_sec = 0)`;
}

/** The source's most recent signed-in viewers (not the caller: their own history says nothing new). */
function recentViewers(videoId: string, viewerId: string | null): SQL {
  return sql`select user_id from watch_history where video_id = ${videoId} and user_id <> ${viewerId ?? ""}
    order by watched_at desc limit ${n(CANDIDATE_LIMITS.viewers)}`;
}

/**
 * For each recent viewer, their last `perViewer` videos (a range on their history index
 * bounded below by their `perViewer`-th newest time), counted per video.
 */
function coWatched(videoId: string): SQL {
  return sql`select h.video_id as id, count(*) as n from viewers w
    join watch_history h on h.user_id = w.user_id and h.watched_at >= coalesce(
      (select x.watched_at from watch_history x where x.user_id = w.user_id
        order by x.watched_at desc limit 1 offset ${n(CANDIDATE_LIMITS.perViewer - 1)}), 0)
    where h.video_id <> ${videoId}
    group by h.video_id`;
}

function candidateSets(source: Source, tags: string): SQL {
  const L = CANDIDATE_LIMITS;
  const sets: SQL[] = [
    sql`select id from videos indexed by videos_feed_idx
      where owner_id = ${source.ownerId ?? ""} and ${PUBLISHED}
      order by published_at desc limit ${n(L.channel)}`,
    sql`select video_id from trending where computed_at = (select max(computed_at) from trending)
      order by rank limit ${n(L.trending)}`,
    sql`select id from videos indexed by videos_public_page_idx
      where visibility = 'public' and status = 'ready' order by created_at desc limit ${n(L.newest)}`,
    sql`select id from co`,
  ];
  if (source.category) {
    sets.push(sql`select id from videos indexed by videos_category_idx
      where category = ${source.category} and ${PUBLISHED}
      order by published_at desc limit ${n(L.category)}`);
  }
  // The same window of ids in every tag (those nearest the source's own id): a stable
  // sample, in which a video sharing several tags is found through each of them.
  if (source.tags.length) {
    for (const [op, dir] of [sql`>`, sql`<`].map((op, i) => [op, sql.raw(i ? "desc" : "asc")] as const)) {
      sets.push(sql`select m.video_id from json_each(${tags}) j, video_tags m
        where m.rowid in (select rowid from video_tags where tag = j.value and video_id ${op} (select id from src)
          order by video_id ${dir} limit ${n(L.tagSide)})`);
    }
  }
  return sql.join(
    sets.map((s) => sql`v.id in (${s})`),
    sql` or `,
  );
}
