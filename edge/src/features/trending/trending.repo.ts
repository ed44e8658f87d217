/**
 * The trending table in D1 (ADR 0022): recomputed set-based by the cron — one batch (one
 * transaction) writes a new generation of the ranking (`computed_at`), drops generations
 * older than TRENDING.keepMs and prunes hourly views past the window — and paged by
 * (generation, rank) for `GET /api/trending`, filtered to listable videos at read time too.
 */
import { and, eq, inArray, lt, lte, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { trending, type VideoRow, videoStatsHourly, videos } from "../../db/schema.ts";
import { decayWeights, HOUR_MS, hourOf, TRENDING } from "./trending-score.ts";

export interface RecomputeResult {
  /** Videos ranked this run. */
  ranked: number;
  /** Hourly view rows pruned (older than the window). */
  pruned: number;
}

export class TrendingRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /**
   * Writes the ranking as of `now` as a new generation and drops those older than
   * TRENDING.keepMs (the newest always stays). Running it twice changes nothing more.
   */
  async recompute(now: number, size: number = TRENDING.size): Promise<RecomputeResult> {
    const nowHour = hourOf(now);
    const [, inserted, , pruned] = await this.db.batch([
      this.db.delete(trending).where(eq(trending.computedAt, now)),
      this.db.insert(trending).select(rankingSelect(now, size)),
      this.db.delete(trending).where(lt(trending.computedAt, now - TRENDING.keepMs)),
      this.db.delete(videoStatsHourly).where(lte(videoStatsHourly.hour, nowHour - TRENDING.windowHours)),
    ]);
    return { ranked: inserted.meta.changes, pruned: pruned.meta.changes };
  }

  /**
   * The generation a page reads: the cursor's while it is kept, else the newest (a cursor
   * older than TRENDING.keepMs goes on in the newest ranking from its rank). Null when empty.
   */
  async generation(wanted?: number): Promise<number | null> {
    if (wanted !== undefined) {
      const kept = await this.db
        .select({ at: trending.computedAt })
        .from(trending)
        .where(and(eq(trending.computedAt, wanted), eq(trending.rank, 1)))
        .get();
      if (kept) return kept.at;
    }
    const row = await this.db.get<{ at: number | null }>(sql`select max(computed_at) as at from trending`);
    return row?.at ?? null;
  }

  /** Listable videos of generation `at` after `afterRank`, in rank order. */
  async page(at: number, afterRank: number, limit: number): Promise<(VideoRow & { rank: number })[]> {
    const rows = await this.db.all<{ rank: number; id: string }>(pageSql(at, afterRank, limit));
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const full = await this.db.select().from(videos).where(inArray(videos.id, ids)).all();
    const byId = new Map(full.map((v) => [v.id, v]));
    return rows.flatMap((r) => {
      const video = byId.get(r.id);
      return video ? [{ ...video, rank: r.rank }] : [];
    });
  }
}

/**
 * A page of one generation of the ranking: `trending` walked in rank order from the cursor by
 * its key (computed_at, rank), each video looked up by id and checked listable (the unary `+`
 * keeps the planner from starting at "every public video" instead).
 */
export function pageSql(at: number, afterRank: number, limit: number) {
  return sql`select t.rank, t.video_id as id
    from trending t join videos v on v.id = t.video_id
    where t.computed_at = ${at} and t.rank > ${afterRank} and +v.visibility = 'public' and +v.status = 'ready' and v.taken_down_at is null
      and not exists (select 1 from users su where su.id = v.owner_id and su.suspended_at is not null)
    order by t.rank limit ${limit}`;
}

/**
 * The ranking's rows (rank, video_id, score, computed_at): every event of the window with its age in hours, weighted by kind and by
 * the decay table (`json_each`), summed per video, listable videos only, best first.
 * Each source is read by its time index: `video_stats_hourly (hour…)`, the likes' and the
 * comments' `created_at` indexes — and each ranked video looked up by id (the unary `+`
 * keeps the planner off "every public video"): the catalogue's size does not enter.
 */
export function rankingSelect(now: number, size: number) {
  const nowHour = hourOf(now);
  const since = (nowHour - TRENDING.windowHours + 1) * HOUR_MS;
  const W = TRENDING.weights;
  // Inlined, so SQLite divides integers (a bound JS number may arrive as a REAL).
  const hourMs = sql.raw(String(HOUR_MS));
  const notOwner = (author: string) =>
    sql.raw(`${author} is not (select o.owner_id from videos o where o.id = e.video_id)`);
  return sql`select row_number() over (order by s.score desc, s.video_id), s.video_id, s.score, ${now}
    from (
      select e.video_id, sum(e.pts * w.value) as score from (
        select video_id, ${nowHour} - hour as age, views * ${W.view} as pts, null as who
          from video_stats_hourly where hour > ${nowHour - TRENDING.windowHours}
        union all
        select video_id, ${nowHour} - created_at / ${hourMs}, ${W.like}, user_id
          from video_reactions where value = 'like' and created_at >= ${since}
        union all
        select video_id, ${nowHour} - max(created_at) / ${hourMs}, ${W.comment}, author_id
          from comments indexed by comments_recent_idx where created_at >= ${since} and held = 0
          group by video_id, author_id
      ) e join json_each(${JSON.stringify(decayWeights())}) w on w.key = e.age
      where e.who is null or ${notOwner("e.who")}
      group by e.video_id
    ) s join videos v on v.id = s.video_id
    where +v.visibility = 'public' and +v.status = 'ready' and v.taken_down_at is null
      and not exists (select 1 from users su where su.id = v.owner_id and su.suspended_at is not null)
    order by s.score desc, s.video_id
    limit ${size}`;
}
