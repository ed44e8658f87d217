import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type {
  ChannelAnalytics,
  DeviceClass,
  TrafficSource,
  VideoAnalytics,
  VideoDto,
} from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { callJson, signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { deviceClass } from "../views/device-class.ts";
import { counterStub } from "../views/views.service.ts";
import { AnalyticsRepo, SQL } from "./analytics.repo.ts";
import { ENGAGEMENT_INSERT, rollUpAnalytics } from "./rollup.ts";

type Err = { error: { code: string } };
const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** Noon UTC `n` days ago: seeded events land well inside that day. */
const daysAgo = (n: number) => Date.parse(`${dayOf(Date.now() - n * DAY_MS)}T12:00:00Z`);

async function video(owner: TestUser, durationSec = 300) {
  return insertVideo({
    status: "ready",
    playable: true,
    visibility: "public",
    durationSec,
    ownerId: owner.id,
  });
}

/** One viewer's view: 3 heartbeats of 12 s into the counter at `at` (counts at 36 s ≥ 30 s). */
async function view(
  videoId: string,
  viewer: string,
  at: number,
  source: TrafficSource | null,
  device: DeviceClass,
) {
  const stub = counterStub(env, videoId);
  for (let i = 1; i <= 3; i++) {
    await stub.heartbeat({
      videoId,
      viewer,
      userId: null,
      issuedAt: at - 60_000,
      positionSec: i * 12,
      playedSec: 12,
      durationSec: 300,
      now: at + i * 12_000,
      ...(i === 1 ? { source } : {}),
      device,
    });
  }
}

const flush = (videoId: string) => runDurableObjectAlarm(counterStub(env, videoId));

const rows = async <T>(sql: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...params)
      .all<T>()
  ).results;

const report = <T>(path: string, user?: TestUser) => callJson<T & Err>(path, { headers: user?.auth ?? {} });

describe("device classes", () => {
  it("sorts user agents into phone, tablet, desktop and tv", () => {
    const iphone =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
    const pixel =
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";
    const tab = "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
    const ipad = "Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
    const tizen =
      "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 SamsungBrowser/4.0 TV Safari/537.36";
    const chromecast = "Mozilla/5.0 (X11; Linux aarch64) AppleWebKit/537.36 CrKey/1.56.500000";
    const mac =
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
    expect([iphone, pixel].map((ua) => deviceClass(ua))).toEqual(["phone", "phone"]);
    expect([tab, ipad].map((ua) => deviceClass(ua))).toEqual(["tablet", "tablet"]);
    expect([tizen, chromecast].map((ua) => deviceClass(ua))).toEqual(["tv", "tv"]);
    expect([mac, undefined, ""].map((ua) => deviceClass(ua))).toEqual(["desktop", "desktop", "desktop"]);
    expect(deviceClass(mac, "?1")).toBe("phone");
  });
});

describe("roll-ups", () => {
  it("equal the raw sums over several days: views, watch time, sources, devices, likes, comments", async () => {
    const owner = await signUp();
    const fans = await Promise.all([signUp(), signUp()]);
    const [a, b] = [await video(owner), await video(owner)];
    // a: 2 views 3 days ago (search/phone, direct-by-default/desktop), 1 view 1 day ago (embed/tv);
    // b: 1 view 2 days ago (channel/tablet).
    await view(a.id, "a:one", daysAgo(3), "search", "phone");
    await view(a.id, "a:two", daysAgo(3), null, "desktop");
    await view(a.id, "a:three", daysAgo(1), "embed", "tv");
    await view(b.id, "a:four", daysAgo(2), "channel", "tablet");
    await Promise.all([flush(a.id), flush(b.id)]);
    // Likes and comments at chosen days (their tables are the raw events).
    const likes = [
      [a.id, fans[0]!.id, daysAgo(3)],
      [a.id, fans[1]!.id, daysAgo(1)],
      [b.id, fans[0]!.id, daysAgo(1)],
    ] as const;
    for (const [v, u, at] of likes)
      await env.DB.prepare(
        "INSERT INTO video_reactions (video_id, user_id, value, created_at) VALUES (?, ?, 'like', ?)",
      )
        .bind(v, u, at)
        .run();
    await env.DB.prepare(
      "INSERT INTO video_reactions (video_id, user_id, value, created_at) VALUES (?, ?, 'dislike', ?)",
    )
      .bind(b.id, fans[1]!.id, daysAgo(2))
      .run();
    for (const [i, at] of [daysAgo(2), daysAgo(2), daysAgo(1)].entries())
      await env.DB.prepare(
        "INSERT INTO comments (id, video_id, author_id, text, created_at, held) VALUES (?, ?, ?, 'hi', ?, ?)",
      )
        .bind(`c_${crypto.randomUUID().slice(0, 16)}`, a.id, fans[0]!.id, at, i === 1 ? 1 : 0)
        .run();
    await rollUpAnalytics(env.DB, Date.now(), "0000-01-01");

    const ids = [a.id, b.id];
    const raw = await rows<{ day: string; views: number; watch_sec: number }>(
      "SELECT day, SUM(views) AS views, SUM(watch_sec) AS watch_sec FROM video_stats_daily WHERE video_id IN (?, ?) GROUP BY day ORDER BY day",
      ...ids,
    );
    expect(raw).toEqual([
      { day: dayOf(daysAgo(3)), views: 2, watch_sec: 72 },
      { day: dayOf(daysAgo(2)), views: 1, watch_sec: 36 },
      { day: dayOf(daysAgo(1)), views: 1, watch_sec: 36 },
    ]);
    // Each dimension adds up to the day's views and watch time.
    for (const dim of ["source", "device"]) {
      expect(
        await rows(
          `SELECT day, SUM(views) AS views, SUM(watch_sec) AS watch_sec FROM video_traffic_daily
           WHERE video_id IN (?, ?) AND dim = ? GROUP BY day ORDER BY day`,
          ...ids,
          dim,
        ),
      ).toEqual(raw);
    }
    const channel = await rows<Record<string, number | string>>(
      "SELECT day, views, watch_sec, likes, comments FROM channel_stats_daily WHERE channel_id = ? ORDER BY day",
      owner.id,
    );
    // The raw sums straight from reactions and comments, per day.
    const rawLikes = await rows<{ day: string; n: number }>(
      `SELECT strftime('%Y-%m-%d', created_at / 1000, 'unixepoch') AS day, COUNT(*) AS n FROM video_reactions
       WHERE video_id IN (?, ?) AND value = 'like' GROUP BY day`,
      ...ids,
    );
    const rawComments = await rows<{ day: string; n: number }>(
      `SELECT strftime('%Y-%m-%d', created_at / 1000, 'unixepoch') AS day, COUNT(*) AS n FROM comments
       WHERE video_id IN (?, ?) AND held = 0 GROUP BY day`,
      ...ids,
    );
    const at = (list: { day: string; n: number }[], day: string) => list.find((r) => r.day === day)?.n ?? 0;
    expect(channel).toEqual(
      raw.map((r) => ({ ...r, likes: at(rawLikes, r.day), comments: at(rawComments, r.day) })),
    );
    expect(channel.map((r) => [r.likes, r.comments])).toEqual([
      [1, 0],
      [0, 1],
      [2, 1],
    ]);
    const sources = await rows(
      "SELECT key, SUM(views) AS views FROM channel_traffic_daily WHERE channel_id = ? AND dim = 'source' GROUP BY key ORDER BY key",
      owner.id,
    );
    expect(sources).toEqual([
      { key: "channel", views: 1 },
      { key: "direct", views: 1 },
      { key: "embed", views: 1 },
      { key: "search", views: 1 },
    ]);

    // The report says the same, with every source and device present.
    const from = dayOf(daysAgo(3));
    const to = dayOf(daysAgo(1));
    const res = await report<ChannelAnalytics>(`/api/me/analytics?from=${from}&to=${to}`, owner);
    expect(res.status).toBe(200);
    expect(res.body.days.map((d) => [d.views, d.watchSec, d.likes, d.comments])).toEqual([
      [2, 72, 1, 0],
      [1, 36, 0, 1],
      [1, 36, 2, 1],
    ]);
    expect(res.body.totals).toMatchObject({
      views: 4,
      watchSec: 144,
      avgViewDurationSec: 36,
      likes: 3,
      comments: 2,
    });
    expect(res.body.totals.avgPercentViewed).toBeCloseTo(12, 5);
    expect(res.body.sources.map((s) => s.key).sort()).toEqual(
      ["browse", "channel", "direct", "embed", "external", "feed", "search", "up_next"].sort(),
    );
    expect(Object.fromEntries(res.body.devices.map((d) => [d.key, d.views]))).toEqual({
      phone: 1,
      desktop: 1,
      tablet: 1,
      tv: 1,
    });
    expect(res.body.topVideos.map((v) => [v.id, v.views])).toEqual([
      [a.id, 3],
      [b.id, 1],
    ]);

    // Per-video sums of a sub-range (running totals at `to` minus before `from`) equal the raw rows.
    const part = await report<ChannelAnalytics>(
      `/api/me/analytics?from=${dayOf(daysAgo(2))}&to=${to}`,
      owner,
    );
    const rawPart = await rows<{ video_id: string; views: number; watch_sec: number }>(
      `SELECT video_id, SUM(views) AS views, SUM(watch_sec) AS watch_sec FROM video_stats_daily
       WHERE video_id IN (?, ?) AND day BETWEEN ? AND ? GROUP BY video_id ORDER BY video_id`,
      ...ids,
      dayOf(daysAgo(2)),
      to,
    );
    expect(
      part.body.topVideos
        .map((v) => ({ video_id: v.id, views: v.views, watch_sec: v.watchSec }))
        .sort((x, y) => (x.video_id < y.video_id ? -1 : 1)),
    ).toEqual(rawPart);

    // A like taken back disappears from its day at the next roll-up.
    await env.DB.prepare("DELETE FROM video_reactions WHERE video_id = ? AND user_id = ?")
      .bind(b.id, fans[0]!.id)
      .run();
    await rollUpAnalytics(env.DB, Date.now(), dayOf(daysAgo(1)));
    const after = await report<ChannelAnalytics>(`/api/me/analytics?from=${from}&to=${to}`, owner);
    expect(after.body.totals.likes).toBe(2);
  });

  it("counts subscribers gained and lost per day from subscription events", async () => {
    const owner = await signUp();
    const fans = await Promise.all([signUp(), signUp(), signUp()]);
    const sub = (u: TestUser, method: string) =>
      callJson(`/api/channels/${owner.handle}/subscription`, { method, headers: u.auth });
    for (const f of fans) expect((await sub(f, "PUT")).status).toBe(200);
    await sub(fans[0]!, "PUT"); // repeated: no event
    await sub(fans[1]!, "DELETE");
    await sub(fans[1]!, "DELETE"); // repeated: no event
    // An older loss, as if it happened two days ago.
    await env.DB.prepare("INSERT INTO subscription_events (channel_id, delta, at) VALUES (?, -1, ?)")
      .bind(owner.id, daysAgo(2))
      .run();
    await rollUpAnalytics(env.DB, Date.now(), "0000-01-01");
    const res = await report<ChannelAnalytics>(
      `/api/me/analytics?from=${dayOf(daysAgo(6))}&to=${dayOf(Date.now())}`,
      owner,
    );
    expect(res.status).toBe(200);
    expect(res.body.days).toHaveLength(7);
    const today = res.body.days.at(-1)!;
    expect([today.subscribersGained, today.subscribersLost]).toEqual([3, 1]);
    expect(res.body.days.find((d) => d.day === dayOf(daysAgo(2)))?.subscribersLost).toBe(1);
    expect(res.body.totals).toMatchObject({ subscribersGained: 3, subscribersLost: 2 });
  });
});

describe("GET /api/videos/:id/analytics", () => {
  it("records the source sent with the heartbeat and the device of its user agent", async () => {
    const owner = await signUp();
    const v = await insertVideo({
      status: "ready",
      playable: true,
      visibility: "public",
      durationSec: 4,
      ownerId: owner.id,
    });
    const ua =
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";
    const got = await callJson<VideoDto>(`/api/videos/${v.id}`, { headers: { "user-agent": ua } });
    const cookie = got.res.headers.get("set-cookie")!.split(";")[0]!;
    const token = got.body.playback!.viewToken!;
    const headers = { cookie, "user-agent": ua };
    const first = await callJson<{ counted: boolean }>("/api/views", {
      method: "POST",
      json: { viewToken: token, positionSec: 2, playedSec: 2, source: "search" },
      headers,
    });
    expect(first.body.counted).toBe(true);
    // A source the contract does not know is refused; an old client (no source) still works.
    const bad = await callJson<Err>("/api/views", {
      method: "POST",
      json: { viewToken: token, positionSec: 3, playedSec: 0, source: "spam" },
      headers,
    });
    expect(bad.status).toBe(400);
    const old = await callJson("/api/views", {
      method: "POST",
      json: { viewToken: token, positionSec: 3, playedSec: 1 },
      headers,
    });
    expect(old.status).toBe(202);
    await flush(v.id);
    const res = await report<VideoAnalytics>(`/api/videos/${v.id}/analytics`, owner);
    expect(res.status).toBe(200);
    expect(res.body.totals.views).toBe(1);
    expect(res.body.sources[0]).toMatchObject({ key: "search", views: 1 });
    expect(res.body.devices[0]).toMatchObject({ key: "phone", views: 1 });
    expect(res.body.video).toEqual({ id: v.id, title: v.title, durationSec: 4 });
    expect(res.body.days).toHaveLength(28);
  });

  it("has the audience retention curve from the watch-position samples", async () => {
    const owner = await signUp();
    const v = await video(owner, 100);
    // 4 viewers at 10 %, 3 reach 50 %, 1 reaches 90 %.
    const beats: [string, number][] = [
      ["a:r1", 10],
      ["a:r2", 10],
      ["a:r3", 10],
      ["a:r4", 10],
      ["a:r1", 50],
      ["a:r2", 50],
      ["a:r3", 50],
      ["a:r1", 90],
    ];
    const t0 = Date.now() - 3_600_000;
    for (const [i, [viewer, position]] of beats.entries()) {
      await counterStub(env, v.id).heartbeat({
        videoId: v.id,
        viewer,
        userId: null,
        issuedAt: t0,
        positionSec: position,
        playedSec: 5,
        durationSec: 100,
        now: t0 + (i + 1) * 60_000,
      });
    }
    await flush(v.id);
    const res = await report<VideoAnalytics>(`/api/videos/${v.id}/analytics`, owner);
    expect(res.body.retention).toHaveLength(100);
    const at = (b: number) => res.body.retention[b]!;
    expect([at(10).samples, at(50).samples, at(90).samples, at(30).samples]).toEqual([4, 3, 1, 0]);
    expect([at(10).relative, at(50).relative, at(90).relative]).toEqual([100, 75, 25]);
  });

  it("answers only the owner: 404 for anyone else, 401 without a session", async () => {
    const [owner, other] = [await signUp(), await signUp()];
    const v = await video(owner);
    expect((await report(`/api/videos/${v.id}/analytics`, other)).status).toBe(404);
    expect((await report(`/api/videos/${v.id}/analytics`, other)).body.error.code).toBe("not_found");
    expect((await report(`/api/videos/v_AAAAAAAAAAAAAAAA/analytics`, owner)).status).toBe(404);
    expect((await report(`/api/videos/${v.id}/analytics`)).status).toBe(401);
    expect((await report("/api/me/analytics")).status).toBe(401);
    // The other user's channel report shows nothing of the owner's.
    await view(v.id, "a:x", daysAgo(1), "search", "phone");
    await flush(v.id);
    await rollUpAnalytics(env.DB, Date.now(), "0000-01-01");
    const theirs = await report<ChannelAnalytics>("/api/me/analytics", other);
    expect(theirs.body.totals.views).toBe(0);
    expect(theirs.body.topVideos).toEqual([]);
  });

  it("validates the range: days, order, at most 365 days", async () => {
    const owner = await signUp();
    const v = await video(owner);
    const ok = await report<VideoAnalytics>(
      `/api/videos/${v.id}/analytics?from=2025-01-01&to=2025-12-31`,
      owner,
    );
    expect(ok.status).toBe(200);
    expect(ok.body.days).toHaveLength(365);
    for (const q of [
      "from=2025-01-01&to=2026-01-01", // 366 days
      "from=2025-02-01&to=2025-01-01", // backwards
      "from=2025-02-30", // no such day
      "from=yesterday",
      "to=2025-1-1",
    ]) {
      const res = await report(`/api/videos/${v.id}/analytics?${q}`, owner);
      expect(res.status, q).toBe(400);
      expect((await report(`/api/me/analytics?${q}`, owner)).status, q).toBe(400);
    }
    // Only `from`: 28 days from it; only `to`: the 28 days ending there.
    const fromOnly = await report<ChannelAnalytics>("/api/me/analytics?from=2025-03-01", owner);
    expect([fromOnly.body.from, fromOnly.body.to]).toEqual(["2025-03-01", "2025-03-28"]);
    const toOnly = await report<ChannelAnalytics>("/api/me/analytics?to=2025-03-28", owner);
    expect([toOnly.body.from, toOnly.body.to]).toEqual(["2025-03-01", "2025-03-28"]);
  });
});

describe("report queries", () => {
  it("read the roll-ups by key, never the raw tables (EXPLAIN QUERY PLAN)", async () => {
    const repo = new AnalyticsRepo(env.DB);
    const plans: string[] = [];
    const raw = /\b(video_reactions|comments|subscriptions|subscription_events|watch_history)\b/;
    for (const [name, sql] of Object.entries(SQL)) {
      const params = name === "videoRetention" ? ["x"] : ["x", "2026-01-01", "2026-03-31"];
      const plan = await repo.plan(sql, ...params);
      const details = plan.map((p) => p.detail);
      expect(details.length, name).toBeGreaterThan(0);
      for (const d of details) {
        expect(d, `${name}: ${details.join(" | ")}`).not.toMatch(raw);
        // Every table is reached through its key or an index: no full scan.
        expect(d, `${name}: ${details.join(" | ")}`).not.toMatch(/^SCAN (?!CONSTANT)/);
        plans.push(`${name}: ${d}`);
      }
    }
    // The channel report's four running-total lookups per video read the covering index alone
    // (migration 0021): no row fetch after each index search.
    const perVideo = (await repo.plan(SQL.channelVideos, "x", "2026-01-01", "2026-03-31"))
      .map((p) => p.detail)
      .filter((d) => d.includes("video_stats_cumulative") || d.startsWith("SEARCH c "));
    expect(perVideo).toHaveLength(4);
    for (const d of perVideo) expect(d).toMatch(/USING COVERING INDEX video_stats_cumulative_cover_idx/);
    // The cron's reads of the raw likes and comments go by their time indexes too.
    const rollup = (await repo.plan(ENGAGEMENT_INSERT, Date.now())).map((p) => p.detail);
    expect(rollup.join(" | ")).not.toMatch(/SCAN (video_reactions|comments)\b/);
    expect(rollup.join(" | ")).toMatch(/video_reactions USING (COVERING )?INDEX/);
    expect(rollup.join(" | ")).toMatch(/comments USING (COVERING )?INDEX/);
    plans.push(...rollup.map((d) => `rollup engagement: ${d}`));
    console.log(`analytics plans:\n${plans.join("\n")}`);
  });
});
