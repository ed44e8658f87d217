/**
 * Trending and "up next" on a seeded catalogue (issue 15, ADR 0022): VIDEOS (100,000)
 * videos of CHANNELS (1,000) channels (95 % listable, 2–4 tags each from 24 topics, a
 * category, Zipf view counts, published over two years) with a realistic last 48 hours —
 * hourly views on ACTIVE (15,000) videos, LIKES (30,000) and COMMENTS (8,000) from VIEWERS
 * (5,000) accounts biased to popular videos — and each viewer's last 30 videos in history.
 * Seeded into a fresh local D1 (`wrangler d1 migrations apply`, then written into its SQLite
 * file), timed through wrangler's local D1 binding with the edge's own statements
 * (trending.repo.ts, related.repo.ts rendered by drizzle's SQLite dialect):
 *  - the cron's recomputation: the one batch (delete, INSERT … SELECT of the ranking, prune);
 *  - `GET /api/trending`'s read (a page of 24 ids + rows) against computing the same ranking
 *    per request (the baseline: what "no table" costs every reader);
 *  - `GET /api/videos/:id/related`'s candidates + rows for random listable sources against
 *    an unbounded baseline (every listable video sharing the channel, category or a tag).
 */

import { sql } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { candidatesSql } from "../../edge/src/features/related/related.repo.ts";
import { pageSql, rankingSelect } from "../../edge/src/features/trending/trending.repo.ts";
import { hourOf, TRENDING } from "../../edge/src/features/trending/trending-score.ts";
import { appendResultsRow, load1, round } from "../lib/results.ts";
import { type D1Like, freshLocalD1, inserts, percentile, sqlText as q, timed, userRows } from "./local-d1.ts";
import type { Section } from "./section.ts";

const VIDEOS = Number(process.env.TRENDING_VIDEOS ?? 100_000);
const CHANNELS = Number(process.env.TRENDING_CHANNELS ?? 1000);
const VIEWERS = Number(process.env.TRENDING_VIEWERS ?? 5000);
const ACTIVE = Math.min(VIDEOS, Number(process.env.TRENDING_ACTIVE ?? 15_000));
const LIKES = Number(process.env.TRENDING_LIKES ?? 30_000);
const COMMENTS = Number(process.env.TRENDING_COMMENTS ?? 8000);
const HISTORY_PER_VIEWER = 30;
const RECOMPUTES = Number(process.env.TRENDING_RECOMPUTES ?? 10);
const RUNS = Number(process.env.TRENDING_RUNS ?? 200);
const BASELINE_RUNS = Number(process.env.TRENDING_BASELINE_RUNS ?? 20);
const DAY = 86_400_000;
const HOUR = 3_600_000;
const CATEGORIES = ["music", "gaming", "education", "science", "travel", "sports", "howto", "comedy"];
const TOPICS = Array.from({ length: 24 }, (_, t) => Array.from({ length: 8 }, (_, k) => `topic${t}-${k}`));

/** Deterministic (mulberry32). */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** Log-uniform rank in [0, n): item k about as likely as 1/k. */
const zipf = (rand: () => number, n: number) => Math.min(n - 1, Math.floor(n ** rand()) - 1);
const vid = (i: number) => `v_${String(i).padStart(16, "0")}`;
const uid = (i: number) => `u_${String(i).padStart(16, "0")}`;
const listable = (i: number) => i % 100 >= 5;

function videoStatements(now: number): string[] {
  const rand = rng(22);
  const rows: string[][] = [];
  const tagRows: string[][] = [];
  for (let i = 0; i < VIDEOS; i++) {
    const topic = TOPICS[i % TOPICS.length]!;
    const tags = [
      ...new Set(Array.from({ length: 2 + Math.floor(rand() * 3) }, () => topic[zipf(rand, 8)]!)),
    ];
    const kind = i % 100;
    const status = kind === 3 || kind === 4 ? "processing" : "ready";
    const at = now - Math.floor(rand() * 730 * DAY);
    rows.push([
      q(vid(i)),
      q(uid(i % CHANNELS)),
      q(`Video ${i} about ${tags.join(" ")}`),
      q(kind < 3 ? "private" : "public"),
      q(status),
      q(CATEGORIES[i % CATEGORIES.length]!),
      q(JSON.stringify(tags)),
      status === "ready" && kind >= 3 ? String(at) : "null",
      String(at),
      String(Math.floor(10 ** (rand() * 6))),
      "'v.mp4','video/mp4',1,1,1,0",
    ]);
    for (const tag of tags) tagRows.push([q(vid(i)), q(tag)]);
  }
  const cols =
    "id,owner_id,title,visibility,status,category,tags_json,published_at,created_at,view_count,filename,content_type,size,part_size,part_count,upload_expires_at";
  return [
    ...inserts("videos", cols.split(","), rows, 250),
    ...inserts("video_tags", ["video_id", "tag"], tagRows),
  ];
}

/** The last 48 h: hourly views, likes and comments, concentrated on popular videos. */
function eventStatements(now: number): string[] {
  const rand = rng(48);
  const nowHour = hourOf(now);
  const popular = (r: () => number) => zipf(r, ACTIVE) * Math.floor(VIDEOS / ACTIVE);
  const hours = new Map<string, number>();
  for (let i = 0; i < ACTIVE * 10; i++) {
    const key = `${popular(rand)}:${nowHour - Math.floor(rand() * TRENDING.windowHours)}`;
    hours.set(key, (hours.get(key) ?? 0) + 1 + zipf(rand, 50));
  }
  const hourly = [...hours].map(([k, n]) => {
    const [v, h] = k.split(":");
    return [q(vid(Number(v))), h!, String(n)];
  });
  const likes = new Map<string, string[]>();
  while (likes.size < LIKES) {
    const [v, u] = [popular(rand), CHANNELS + Math.floor(rand() * VIEWERS)];
    likes.set(`${v}:${u}`, [q(vid(v)), q(uid(u)), "'like'", String(now - Math.floor(rand() * 47 * HOUR))]);
  }
  const comments = Array.from({ length: COMMENTS }, (_, i) => [
    q(`c_${String(i).padStart(16, "0")}`),
    q(vid(popular(rand))),
    q(uid(CHANNELS + Math.floor(rand() * VIEWERS))),
    "'nice one'",
    String(now - Math.floor(rand() * 47 * HOUR)),
  ]);
  return [
    ...inserts("video_stats_hourly", ["video_id", "hour", "views"], hourly),
    ...inserts("video_reactions", ["video_id", "user_id", "value", "created_at"], [...likes.values()]),
    ...inserts("comments", ["id", "video_id", "author_id", "text", "created_at"], comments),
  ];
}

/** Each viewer's last HISTORY_PER_VIEWER videos, biased to popular ones (co-watching exists). */
function historyStatements(now: number): string[] {
  const rand = rng(30);
  const rows: string[][] = [];
  for (let u = 0; u < VIEWERS; u++) {
    const seen = new Set<number>();
    while (seen.size < HISTORY_PER_VIEWER) seen.add(zipf(rand, VIDEOS));
    let t = now;
    for (const v of seen) {
      t -= Math.floor(rand() * 6 * HOUR);
      rows.push([q(uid(CHANNELS + u)), q(vid(v)), rand() < 0.4 ? "0" : "42", "120", String(t)]);
    }
  }
  return inserts(
    "watch_history",
    ["user_id", "video_id", "position_sec", "duration_sec", "watched_at"],
    rows,
  );
}

const dialect = new SQLiteSyncDialect();
type Batchable = D1Like & { batch(stmts: unknown[]): Promise<{ meta: { duration: number } }[]> };

/** The cron's one batch; returns D1's execution time (sum of the three statements, ms). */
async function recompute(db: Batchable, now: number): Promise<number> {
  const select = dialect.sqlToQuery(rankingSelect(now, TRENDING.size));
  const results = await db.batch([
    db.prepare("delete from trending where computed_at = ?").bind(now),
    db
      .prepare(`insert into trending (rank, video_id, score, computed_at) ${select.sql}`)
      .bind(...select.params),
    db.prepare("delete from trending where computed_at < ?").bind(now - TRENDING.keepMs),
    db.prepare("delete from video_stats_hourly where hour <= ?").bind(hourOf(now) - TRENDING.windowHours),
  ]);
  return results.reduce((sum, r) => sum + r.meta.duration, 0);
}

async function trendingRead(db: D1Like, at: number, after: number): Promise<number> {
  const page = dialect.sqlToQuery(pageSql(at, after, 24));
  const ids = await db
    .prepare(page.sql)
    .bind(...page.params)
    .all<{ id: string }>();
  const rows = await rowsOf(
    db,
    ids.results.map((r) => r.id),
  );
  return ids.meta.duration + rows;
}

async function rowsOf(db: D1Like, ids: string[]): Promise<number> {
  if (!ids.length) return 0;
  const res = await db
    .prepare(`select * from videos where id in (${ids.map((_, i) => `?${i + 1}`).join(",")})`)
    .bind(...ids)
    .all();
  return res.meta.duration;
}

/** Baseline: the ranking computed for the request (what every reader would pay without the table). */
async function trendingPerRequest(db: D1Like, now: number): Promise<number> {
  const s = dialect.sqlToQuery(sql`${rankingSelect(now, 24)}`);
  const res = await db
    .prepare(s.sql)
    .bind(...s.params)
    .all();
  return res.meta.duration;
}

function sources(count: number) {
  const rand = rng(5);
  return Array.from({ length: count }, () => {
    let i = zipf(rand, VIDEOS);
    while (!listable(i)) i = (i + 1) % VIDEOS;
    return i;
  });
}

async function sourceOf(db: D1Like, i: number) {
  const row = (
    await db.prepare("select id, owner_id, category, tags_json from videos where id = ?").bind(vid(i)).all<{
      id: string;
      owner_id: string;
      category: string | null;
      tags_json: string;
    }>()
  ).results[0]!;
  return {
    id: row.id,
    ownerId: row.owner_id,
    category: row.category,
    tags: JSON.parse(row.tags_json) as string[],
  };
}

/** The route's statements: candidates, then the rows of the 12 best (scored in JS; not timed). */
async function relatedOnce(db: D1Like, i: number, viewer: string): Promise<number> {
  const c = dialect.sqlToQuery(candidatesSql(await sourceOf(db, i), viewer));
  const found = await db
    .prepare(c.sql)
    .bind(...c.params)
    .all<{ id: string }>();
  return (
    found.meta.duration +
    (await rowsOf(
      db,
      found.results.slice(0, 12).map((r) => r.id),
    ))
  );
}

/** Baseline: every listable video sharing the channel, the category or any tag, scored in SQL. */
async function relatedUnbounded(db: D1Like, i: number): Promise<number> {
  const s = await sourceOf(db, i);
  const res = await db
    .prepare(`select v.id, (v.owner_id = ?2) * 3 + (v.category = ?3) * 1.5
        + 2 * (select count(*) from video_tags t where t.video_id = v.id and t.tag in (select value from json_each(?4))) as score
      from videos v where v.visibility = 'public' and v.status = 'ready' and v.taken_down_at is null and v.id <> ?1
        and (v.owner_id = ?2 or v.category = ?3 or exists (select 1 from video_tags t
          where t.video_id = v.id and t.tag in (select value from json_each(?4))))
      order by score desc limit 12`)
    .bind(s.id, s.ownerId, s.category, JSON.stringify(s.tags))
    .all();
  return res.meta.duration;
}

async function seed(d1: ReturnType<typeof freshLocalD1>, now: number): Promise<number> {
  const started = performance.now();
  const users = Array.from({ length: CHANNELS + VIEWERS }, (_, i) => uid(i));
  await d1.execute("trending-users", userRows(users, "trendbench"));
  await d1.execute("trending-videos", videoStatements(now));
  await d1.execute("trending-events", eventStatements(now));
  await d1.execute("trending-history", historyStatements(now));
  return round((performance.now() - started) / 1000, 1);
}

async function measure(db: Batchable, now: number) {
  const recomputeMs: number[] = [];
  const wallMs: number[] = [];
  for (let i = 0; i < RECOMPUTES; i++) {
    const t0 = performance.now();
    recomputeMs.push(await recompute(db, now));
    wallMs.push(performance.now() - t0);
  }
  recomputeMs.sort((a, b) => a - b);
  wallMs.sort((a, b) => a - b);
  const ranked = (await db.prepare("select count(*) as n from trending").bind().all<{ n: number }>())
    .results[0]?.n;
  const read = await timed(RUNS, (i) => trendingRead(db, now, (i % 10) * 24));
  const perRequest = await timed(BASELINE_RUNS, () => trendingPerRequest(db, now));
  const picks = sources(RUNS + 5);
  const viewer = uid(CHANNELS + 7);
  const related = await timed(RUNS, (i) => relatedOnce(db, picks[i]!, viewer));
  const unbounded = await timed(BASELINE_RUNS, (i) => relatedUnbounded(db, picks[i]!));
  return {
    recompute: {
      sqlP50Ms: round(percentile(recomputeMs, 50), 1),
      sqlMaxMs: round(recomputeMs.at(-1) ?? 0, 1),
      wallP50Ms: round(percentile(wallMs, 50), 1),
      runs: RECOMPUTES,
      ranked,
    },
    read,
    perRequest,
    related,
    unbounded,
  };
}

export const section: Section = {
  name: "trending",
  async run() {
    const loadStart = await load1();
    const d1 = freshLocalD1("trending");
    try {
      const now = Date.now();
      const seedSec = await seed(d1, now);
      const m = await measure((await d1.open()) as Batchable, now);
      const loadEnd = await load1();
      console.log(`  ${JSON.stringify(m)}`);
      await appendResultsRow(
        "## Trending and up next (`npm run bench:discovery`)",
        [
          `${VIDEOS.toLocaleString("en")} videos of ${CHANNELS.toLocaleString("en")} channels (95 % listable, 2–4 tags, a category) in a fresh local D1,`,
          `with the last 48 h of a busy site: hourly views on ${ACTIVE.toLocaleString("en")} videos, ${LIKES.toLocaleString("en")} likes and`,
          `${COMMENTS.toLocaleString("en")} comments from ${VIEWERS.toLocaleString("en")} accounts, each with ${HISTORY_PER_VIEWER} videos of history. Timed through`,
          "wrangler's local D1 binding with the edge's own statements (D1's `meta.duration`). Recompute = the cron's",
          "one batch (delete, INSERT … SELECT of the top 1,000, prune). Trending read = a page of 24 from the table;",
          "baseline: the same ranking computed per request. Related = candidates + the page's rows for random",
          "listable sources; baseline: every listable video sharing channel, category or a tag, scored in SQL.",
          "",
          "| date | recompute p50 / max (wall p50) | trending read p50 / p99 | per-request ranking p50 / p99 | related p50 / p99 | unbounded related p50 / p99 | seed | load 1m |",
          "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ],
        `| ${new Date().toISOString().slice(0, 10)} | ${m.recompute.sqlP50Ms} / ${m.recompute.sqlMaxMs} ms (${m.recompute.wallP50Ms} ms), ${m.recompute.ranked} ranked | ${m.read.sqlP50Ms} / ${m.read.sqlP99Ms} ms | ${m.perRequest.sqlP50Ms} / ${m.perRequest.sqlP99Ms} ms | ${m.related.sqlP50Ms} / ${m.related.sqlP99Ms} ms | ${m.unbounded.sqlP50Ms} / ${m.unbounded.sqlP99Ms} ms | ${seedSec} s | ${loadStart} → ${loadEnd} |`,
      );
      return {
        videos: VIDEOS,
        channels: CHANNELS,
        viewers: VIEWERS,
        active: ACTIVE,
        likes: LIKES,
        comments: COMMENTS,
        seedSec,
        ...m,
        loadStart,
        loadEnd,
      };
    } finally {
      await d1.dispose();
    }
  },
};
