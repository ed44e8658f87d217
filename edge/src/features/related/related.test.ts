/**
 * `GET /api/videos/:id/related` on real D1 (ADR 0022): ranking (same channel and shared
 * tags first, co-watching counts), visibility (private, unlisted, unready and taken-down
 * videos never appear), a viewer's finished videos left out, 404 for a source the caller
 * may not see, and a query plan that reads no table whole.
 */
import { env } from "cloudflare:workers";
import type { RelatedResponse } from "@streamline/contracts";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { callJson, signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { database } from "../../db/client.ts";
import { newVideoId } from "../../lib/ids.ts";
import { candidatesSql } from "./related.repo.ts";
import { rankRelated, relatedScore } from "./related-score.ts";

const HOUR = 3_600_000;
let alice: TestUser;
let bob: TestUser;
let viewer: TestUser;
const v: Record<string, string> = {};

type Extra = { tags?: string[] } & Parameters<typeof insertVideo>[0];
/** A listable video (public, ready, published) unless the patch says otherwise. */
async function video(name: string, { tags = [], ...patch }: Extra) {
  const id = newVideoId();
  await insertVideo({
    id,
    title: name,
    status: "ready",
    playable: true,
    visibility: "public",
    publishedAt: Date.now() - 5 * HOUR,
    tagsJson: JSON.stringify(tags),
    ...patch,
  });
  if (tags.length) {
    await env.DB.batch(
      tags.map((t) => env.DB.prepare("insert into video_tags (video_id, tag) values (?, ?)").bind(id, t)),
    );
  }
  v[name] = id;
  return id;
}

async function watched(userId: string, videoId: string, positionSec: number, at = Date.now()) {
  await env.DB.prepare(
    "insert or replace into watch_history (user_id, video_id, position_sec, duration_sec, watched_at) values (?, ?, ?, 120, ?)",
  )
    .bind(userId, videoId, positionSec, at)
    .run();
}

const related = (id: string, headers: Record<string, string> = {}, query = "") =>
  callJson<RelatedResponse>(`/api/videos/${id}/related${query}`, { headers });
const ids = (body: RelatedResponse) => body.videos.map((x) => x.id);

beforeAll(async () => {
  [alice, bob, viewer] = await Promise.all([signUp(), signUp(), signUp()]);
  const tags = ["rust", "wasm", "edge"];
  await video("source", { ownerId: alice.id, tags, category: "science" });
  await video("channelAndTags", { ownerId: alice.id, tags: ["rust", "wasm"] });
  await video("channelOnly", { ownerId: alice.id });
  await video("tagsOnly", { ownerId: bob.id, tags });
  await video("categoryOnly", { ownerId: bob.id, category: "science" });
  await video("coWatched", { ownerId: bob.id });
  await video("private", { ownerId: alice.id, tags, visibility: "private" });
  await video("unlisted", { ownerId: alice.id, tags, visibility: "unlisted" });
  await video("processing", { ownerId: alice.id, tags, status: "processing", publishedAt: null });
  await video("takenDown", { ownerId: alice.id, tags, takenDownAt: Date.now(), takedownReason: "spam" });
  // Three other people watched the source and then `coWatched`.
  for (const u of await Promise.all([signUp(), signUp(), signUp()])) {
    await watched(u.id, v.source!, 30, Date.now() - 2 * HOUR);
    await watched(u.id, v.coWatched!, 50, Date.now() - HOUR);
  }
});

describe("GET /api/videos/:id/related", () => {
  it("ranks the same channel with shared tags first, then shared tags, then the channel", async () => {
    const res = await related(v.source!);
    expect(res.status).toBe(200);
    expect(ids(res.body).slice(0, 3)).toEqual([v.channelAndTags, v.tagsOnly, v.channelOnly]);
    // Co-watching by three viewers beats sharing only the category.
    const order = ids(res.body);
    expect(order).toContain(v.categoryOnly);
    expect(order.indexOf(v.coWatched!)).toBeLessThan(order.indexOf(v.categoryOnly!));
    expect(res.body.videos[0]).toMatchObject({ title: "channelAndTags", channel: { handle: alice.handle } });
  });

  it("never lists the video itself, nor private, unlisted, unready or taken-down videos", async () => {
    const res = await related(v.source!, alice.auth, "?limit=24");
    expect(res.status).toBe(200);
    const hidden = ["source", "private", "unlisted", "processing", "takenDown"].map((k) => v[k]);
    for (const id of hidden) expect(ids(res.body)).not.toContain(id);
    for (const video of res.body.videos)
      expect(video).toMatchObject({ visibility: "public", status: "ready" });
  });

  it("leaves out what the signed-in viewer finished (position 0 in history), not what they started", async () => {
    await watched(viewer.id, v.channelAndTags!, 0);
    await watched(viewer.id, v.tagsOnly!, 42);
    const mine = await related(v.source!, viewer.auth);
    expect(ids(mine.body)).not.toContain(v.channelAndTags);
    expect(ids(mine.body)[0]).toBe(v.tagsOnly);
    // Someone else (and anonymous callers) still get it.
    expect(ids((await related(v.source!, bob.auth)).body)[0]).toBe(v.channelAndTags);
    expect(ids((await related(v.source!)).body)[0]).toBe(v.channelAndTags);
  });

  it("answers for an unlisted source, and 404 for one the caller may not see", async () => {
    expect((await related(v.unlisted!)).status).toBe(200);
    const stranger = await related(v.private!, bob.auth);
    const unknown = await related("v_0000000000000000", bob.auth);
    expect(stranger.status).toBe(404);
    expect(stranger.body).toEqual(unknown.body);
    expect((await related(v.private!, alice.auth)).status).toBe(200);
  });

  it("honours limit (1–24) and refuses others with 400", async () => {
    const two = await related(v.source!, {}, "?limit=2");
    expect(two.body.videos).toHaveLength(2);
    for (const bad of ["0", "25", "x"])
      expect((await related(v.source!, {}, `?limit=${bad}`)).status).toBe(400);
  });

  it("reads bounded ranges by index: no table is scanned whole", async () => {
    const source = { id: v.source!, ownerId: alice.id, category: "science", tags: ["rust", "wasm", "edge"] };
    const db = database(env.DB);
    const plan = await db.all<{ detail: string }>(
      sql`explain query plan ${candidatesSql(source, viewer.id)}`,
    );
    const details = plan.map((p) => p.detail);
    expect(details.some((d) => d.includes("videos_feed_idx"))).toBe(true);
    expect(details.some((d) => d.includes("videos_category_idx"))).toBe(true);
    expect(details.some((d) => d.includes("watch_history_video_recent_idx"))).toBe(true);
    // Only CTEs, json_each and `trending` (rank order, 30 rows) are walked; no table of
    // videos, tags or history, and the outer row is found by id, not by "every public video".
    const unbounded = details.filter(
      (d) =>
        /^SCAN (videos|video_tags|watch_history|v|t|h|x|f|m)\b/.test(d) ||
        /^SEARCH v USING (COVERING )?INDEX videos_public_page_idx/.test(d),
    );
    expect(unbounded, details.join("\n")).toEqual([]);
  });
});

describe("relatedScore", () => {
  const now = Date.UTC(2026, 11, 7);
  const base = {
    id: "v_b",
    ownerId: "o2",
    category: null,
    viewCount: 0,
    publishedAt: now,
    sharedTags: 0,
    coViewers: 0,
  };
  const source = { id: "v_a", ownerId: "o1", category: "music" };

  it("caps shared tags at three and saturates co-watching", () => {
    expect(relatedScore(source, { ...base, sharedTags: 9 }, now)).toBe(
      relatedScore(source, { ...base, sharedTags: 3 }, now),
    );
    expect(relatedScore(source, { ...base, coViewers: 1000 }, now)).toBeLessThan(4);
  });

  it("lets popularity fade with age and breaks ties by recency", () => {
    const fresh = { ...base, id: "v_f", viewCount: 10_000 };
    const old = { ...base, id: "v_o", viewCount: 10_000, publishedAt: now - 90 * 86_400_000 };
    expect(rankRelated(source, [old, fresh], 2, now)).toEqual(["v_f", "v_o"]);
    expect(relatedScore(source, old, now)).toBeCloseTo(relatedScore(source, fresh, now) / 8, 5);
  });

  it("never matches 'same channel' or 'same category' on null", () => {
    const anon = { id: "v_a", ownerId: null, category: null };
    expect(relatedScore(anon, { ...base, ownerId: null }, now)).toBe(0);
  });
});
