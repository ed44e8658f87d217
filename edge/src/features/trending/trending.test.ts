/**
 * Trending on real D1 (ADR 0022): the cron's ranking from seeded events (recent likes beat
 * old views, decay halves a score every 12 h, nothing older than 48 h counts, one voice per
 * commenter, none for the owner), idempotent recomputation, listable videos only — at
 * computation and again at read time — cursor paging, the view flush's hourly rows, and a
 * query plan that reads each event source by its time index.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { TrendingResponse } from "@streamline/contracts";
import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { insertVideo } from "../../../test/fixtures.ts";
import { callJson } from "../../../test/http.ts";
import { database } from "../../db/client.ts";
import worker from "../../index.ts";
import { newVideoId } from "../../lib/ids.ts";
import { services } from "../../lib/services.ts";
import { flushStatements } from "../views/view-flush.ts";
import { pageSql, rankingSelect } from "./trending.repo.ts";
import { refreshTrending } from "./trending.service.ts";
import { HOUR_MS, hourOf } from "./trending-score.ts";

const NOW = Date.now();
const H = hourOf(NOW);
let seq = 0;

async function user(): Promise<string> {
  const id = `u_trend${String(++seq).padStart(9, "0")}`;
  await env.DB.prepare(
    "insert into users (id, email, handle, password_hash) values (?, ?, ?, '!no-password')",
  )
    .bind(id, `${id}@example.com`, `t${id.slice(2).toLowerCase()}`)
    .run();
  return id;
}

async function video(title: string, patch: Parameters<typeof insertVideo>[0] = {}) {
  const id = newVideoId();
  await insertVideo({
    id,
    title,
    status: "ready",
    playable: true,
    visibility: "public",
    publishedAt: NOW - 72 * HOUR_MS,
    ...patch,
  });
  return id;
}

const views = (videoId: string, ageHours: number, n: number) =>
  env.DB.prepare("insert into video_stats_hourly (video_id, hour, views) values (?, ?, ?)")
    .bind(videoId, H - ageHours, n)
    .run();

async function likes(videoId: string, ageHours: number, n: number) {
  for (let i = 0; i < n; i++) {
    await env.DB.prepare(
      "insert into video_reactions (video_id, user_id, value, created_at) values (?, ?, 'like', ?)",
    )
      .bind(videoId, await user(), NOW - ageHours * HOUR_MS)
      .run();
  }
}

async function comment(videoId: string, authorId: string, ageHours: number) {
  await env.DB.prepare(
    "insert into comments (id, video_id, author_id, text, created_at) values (?, ?, ?, 'nice', ?)",
  )
    .bind(
      `c_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`,
      videoId,
      authorId,
      NOW - ageHours * HOUR_MS,
    )
    .run();
}

const ranking = async () =>
  (
    await env.DB.prepare(
      "select rank, video_id as id, score, computed_at as at from trending order by computed_at desc, rank",
    ).all<{
      rank: number;
      id: string;
      score: number;
      at: number;
    }>()
  ).results;
const refresh = () => refreshTrending(services(env), NOW);
const get = (query = "") => callJson<TrendingResponse>(`/api/trending${query}`);

beforeEach(async () => {
  await env.DB.batch([
    env.DB.prepare("delete from trending"),
    env.DB.prepare("delete from video_stats_hourly"),
    env.DB.prepare("delete from video_reactions"),
    env.DB.prepare("delete from comments"),
  ]);
});

describe("trending ranking (the cron's recomputation)", () => {
  it("ranks ten likes from the last hour above forty views from 40 hours ago", async () => {
    const oldViews = await video("old views");
    const freshLikes = await video("fresh likes");
    await views(oldViews, 40, 40);
    await likes(freshLikes, 0, 10);
    expect((await refresh()).ranked).toBe(2);
    expect((await ranking()).map((r) => r.id)).toEqual([freshLikes, oldViews]);
  });

  it("halves a score every 12 hours and ignores what is older than 48 hours", async () => {
    const [recent, dayOld, stale] = [await video("1 h"), await video("25 h"), await video("49 h")];
    await views(recent, 1, 20);
    await views(dayOld, 25, 20);
    await views(stale, 49, 10_000);
    await refresh();
    const rows = await ranking();
    expect(rows.map((r) => r.id)).toEqual([recent, dayOld]);
    expect(rows[0]!.score).toBeCloseTo(20 * 0.5 ** (1 / 12), 6);
    expect(rows[1]!.score / rows[0]!.score).toBeCloseTo(0.25, 6);
    // The stale hour was pruned with the recomputation.
    const left = await env.DB.prepare("select count(*) as n from video_stats_hourly where video_id = ?")
      .bind(stale)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });

  it("counts a commenter once per video and nothing the owner does to their own video", async () => {
    const owner = await user();
    const chatty = await video("one chatty commenter", { ownerId: owner });
    const many = await video("three commenters");
    const fan = await user();
    for (let i = 0; i < 5; i++) await comment(chatty, fan, 2);
    for (let i = 0; i < 20; i++) await comment(chatty, owner, 0);
    await env.DB.prepare(
      "insert into video_reactions (video_id, user_id, value, created_at) values (?, ?, 'like', ?)",
    )
      .bind(chatty, owner, NOW)
      .run();
    for (let i = 0; i < 3; i++) await comment(many, await user(), 2);
    await refresh();
    const rows = await ranking();
    expect(rows.map((r) => r.id)).toEqual([many, chatty]);
    expect(rows[1]!.score).toBeCloseTo(5 * 0.5 ** (2 / 12), 6);
  });

  it("is idempotent: recomputing with the same events gives the same table", async () => {
    for (const [i, n] of [5, 9, 2, 7].entries()) await views(await video(`v${i}`), i, n);
    await refresh();
    const first = await ranking();
    await refresh();
    expect(await ranking()).toEqual(first);
    expect(first.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
  });

  it("runs from the Worker's scheduled handler", async () => {
    const id = await video("via cron");
    await env.DB.prepare("insert into video_stats_hourly (video_id, hour, views) values (?, ?, 3)")
      .bind(id, hourOf(Date.now()))
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await ranking()).map((r) => r.id)).toContain(id);
  });

  it("never ranks private, unlisted, unready or taken-down videos", async () => {
    const hidden = [
      await video("private", { visibility: "private" }),
      await video("unlisted", { visibility: "unlisted" }),
      await video("processing", { status: "processing", publishedAt: null }),
      await video("taken down", { takenDownAt: NOW, takedownReason: "spam" }),
    ];
    const shown = await video("public");
    for (const id of [...hidden, shown]) await views(id, 0, 100);
    await refresh();
    expect((await ranking()).map((r) => r.id)).toEqual([shown]);
  });

  it("reads each event source by its time index", async () => {
    const plan = await database(env.DB).all<{ detail: string }>(
      sql`explain query plan ${rankingSelect(NOW, 1000)}`,
    );
    const details = plan.map((p) => p.detail).join("\n");
    expect(details).toContain("video_stats_hourly_hour_idx");
    expect(details).toContain("video_reactions_likes_recent_idx");
    expect(details).toContain("comments_recent_idx");
    expect(details).not.toMatch(/^SCAN (videos|video_stats_hourly|video_reactions|comments|v|o)\b/m);
    // The page read walks the ranking from the cursor and finds each video by id.
    const read = (
      await database(env.DB).all<{ detail: string }>(sql`explain query plan ${pageSql(NOW, 24, 24)}`)
    )
      .map((p) => p.detail)
      .join("\n");
    expect(read).toMatch(/SEARCH t USING INDEX sqlite_autoindex_trending_1 \(computed_at=\? AND rank>\?\)/);
    expect(read).toMatch(/SEARCH v USING INDEX sqlite_autoindex_videos_1 \(id=\?\)/);
  });
});

describe("GET /api/trending", () => {
  it("pages the ranking with cursors, and says when it was computed", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await video(`ranked ${i}`));
      await views(ids[i]!, 0, 50 - i);
    }
    const empty = await get();
    expect(empty.body).toEqual({ videos: [], nextCursor: null, computedAt: null });
    await refresh();
    const seen: string[] = [];
    let cursor: string | null = "";
    for (let page = 0; cursor !== null && page < 5; page++) {
      const res = await get(`?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.computedAt).toBe(new Date(NOW).toISOString());
      seen.push(...res.body.videos.map((v) => v.id));
      cursor = res.body.nextCursor;
    }
    expect(seen).toEqual(ids);
    expect((await get("?limit=5")).body.nextCursor).toBe(`${NOW}.5`);
    // A bare rank (a cursor from before generations) pages the newest ranking.
    expect((await get("?limit=2&cursor=2")).body.videos.map((v) => v.id)).toEqual(ids.slice(2, 4));
    for (const bad of [
      "?cursor=abc",
      "?cursor=0",
      `?cursor=${NOW}.0`,
      "?cursor=1.2.3",
      "?limit=0",
      "?limit=51",
    ])
      expect((await get(bad)).status).toBe(400);
  });

  it("a recomputation between two pages neither repeats nor skips: the cursor stays in its ranking", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(await video(`generation ${i}`));
      await views(ids[i]!, 0, 60 - i);
    }
    await refresh();
    const first = await get("?limit=3");
    expect(first.body.videos.map((v) => v.id)).toEqual(ids.slice(0, 3));
    // The order turns over (the last three overtake the first three) and the cron runs again.
    for (const id of ids.slice(3)) await likes(id, 0, 30);
    const later = NOW + 5 * 60_000;
    await refreshTrending(services(env), later);
    const fresh = await get("?limit=6");
    expect(fresh.body.computedAt).toBe(new Date(later).toISOString());
    expect(
      fresh.body.videos
        .map((v) => v.id)
        .slice(0, 3)
        .sort(),
    ).toEqual(ids.slice(3).sort());
    // Paging on from the first page: the rest of that ranking, each video once.
    const second = await get(`?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.computedAt).toBe(first.body.computedAt);
    const seen = [...first.body.videos, ...second.body.videos].map((v) => v.id);
    expect(seen).toEqual(ids);
    expect(new Set(seen).size).toBe(6);
    // Generations older than keepMs go with a later run; a cursor into one goes on in the newest.
    const kept = async () =>
      (
        await env.DB.prepare("select distinct computed_at as at from trending order by 1").all<{
          at: number;
        }>()
      ).results.map((r) => r.at);
    expect(await kept()).toEqual([NOW, later]);
    await refreshTrending(services(env), later + 31 * 60_000);
    expect(await kept()).toEqual([later + 31 * 60_000]);
    const stale = await get(`?limit=3&cursor=${first.body.nextCursor}`);
    expect(stale.body.computedAt).toBe(new Date(later + 31 * 60_000).toISOString());
    expect(stale.body.videos).toHaveLength(3);
  });

  it("hides a video made private or taken down after the ranking was computed", async () => {
    const [a, b, c] = [await video("a"), await video("b"), await video("c")];
    await views(a, 0, 30);
    await views(b, 0, 20);
    await views(c, 0, 10);
    await refresh();
    await env.DB.prepare("update videos set taken_down_at = ? where id = ?").bind(Date.now(), a).run();
    await env.DB.prepare("update videos set visibility = 'private' where id = ?").bind(b).run();
    const res = await get("?limit=1");
    expect(res.body.videos.map((v) => v.id)).toEqual([c]);
    expect((await ranking()).length).toBe(3);
  });
});

describe("the view flush", () => {
  it("adds the flush's counted views to the current hour", async () => {
    const id = await video("flushed");
    const batch = { videoId: id, views: 3, watchSec: 90, days: {}, retention: {}, history: [] };
    await env.DB.batch(flushStatements(env.DB, batch));
    await env.DB.batch(flushStatements(env.DB, { ...batch, views: 2 }));
    const row = await env.DB.prepare("select hour, views from video_stats_hourly where video_id = ?")
      .bind(id)
      .first<{ hour: number; views: number }>();
    expect(row?.views).toBe(5);
    expect(Math.abs(row!.hour - hourOf(Date.now()))).toBeLessThanOrEqual(1);
  });
});
