import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { callJson } from "../../../test/http.ts";

type State = { subscribed: boolean; subscriberCount: number; error?: { code: string } };

const sub = (user: TestUser | null, handle: string, method: "PUT" | "DELETE" = "PUT") =>
  callJson<State>(`/api/channels/${handle}/subscription`, { method, headers: user?.auth ?? {} });

const stored = async (userId: string) =>
  (
    await env.DB.prepare("select subscriber_count as n from channels where user_id = ?")
      .bind(userId)
      .first<{ n: number }>()
  )?.n;

let n = 0;
/** A published public ready video of `owner`, `publishedAt` strictly increasing. */
const published = (owner: TestUser, patch: Record<string, unknown> = {}) =>
  insertVideo({
    ownerId: owner.id,
    visibility: "public",
    status: "ready",
    playable: true,
    publishedAt: 1_800_000_000_000 + ++n * 1000,
    ...patch,
  });

describe("subscriptions", () => {
  let a: TestUser;
  let b: TestUser;
  let c: TestUser;
  beforeAll(async () => {
    [a, b, c] = await Promise.all([signUp(), signUp(), signUp()]);
  });

  it("subscribe is idempotent; the counter moves once, and so does unsubscribe", async () => {
    expect((await sub(b, a.handle)).body).toEqual({ subscribed: true, subscriberCount: 1 });
    await Promise.all(Array.from({ length: 5 }, () => sub(b, a.handle)));
    expect((await sub(c, a.handle)).body).toEqual({ subscribed: true, subscriberCount: 2 });
    expect(await stored(a.id)).toBe(2);
    const channel = await callJson<{ channel: { subscriberCount: number }; subscribed: boolean }>(
      `/api/channels/${a.handle}`,
      { headers: b.auth },
    );
    expect(channel.body).toMatchObject({ channel: { subscriberCount: 2 }, subscribed: true });
    const anonymous = await callJson<{ subscribed: boolean }>(`/api/channels/${a.handle}`);
    expect(anonymous.body.subscribed).toBe(false);
    expect((await sub(c, a.handle, "DELETE")).body).toEqual({ subscribed: false, subscriberCount: 1 });
    await Promise.all(Array.from({ length: 4 }, () => sub(c, a.handle, "DELETE")));
    expect(await stored(a.id)).toBe(1);
  });

  it("yourself: 409 cannot_subscribe_to_self; unknown channel 404; anonymous 401", async () => {
    const self = await sub(a, a.handle);
    expect(self.status).toBe(409);
    expect(self.body.error?.code).toBe("cannot_subscribe_to_self");
    expect((await sub(b, "no-such-channel-here")).status).toBe(404);
    expect((await sub(null, a.handle)).status).toBe(401);
  });

  it("GET /api/me/subscriptions lists newest first, paged", async () => {
    const [x, y, z] = await Promise.all([signUp(), signUp(), signUp()]);
    const me = await signUp();
    for (const ch of [x, y, z]) {
      await sub(me, ch.handle);
      await new Promise((r) => setTimeout(r, 5));
    }
    type Page = { subscriptions: { channel: { handle: string } }[]; nextCursor: string | null };
    const first = await callJson<Page>("/api/me/subscriptions?limit=2", { headers: me.auth });
    expect(first.body.subscriptions.map((s) => s.channel.handle)).toEqual([z.handle, y.handle]);
    const next = await callJson<Page>(`/api/me/subscriptions?limit=2&cursor=${first.body.nextCursor}`, {
      headers: me.auth,
    });
    expect(next.body.subscriptions.map((s) => s.channel.handle)).toEqual([x.handle]);
    expect(next.body.nextCursor).toBeNull();
  });
});

describe("GET /api/feed", () => {
  it("published public ready videos of subscribed channels only, newest first, keyset paged", async () => {
    const [ana, bo, stranger, me] = await Promise.all([signUp(), signUp(), signUp(), signUp()]);
    await sub(me, ana.handle);
    await sub(me, bo.handle);
    const v1 = await published(ana);
    const v2 = await published(bo);
    const v3 = await published(ana);
    await published(stranger);
    // Never in the feed: private, unlisted, not ready, not yet published.
    await published(ana, { visibility: "private" });
    await published(ana, { visibility: "unlisted" });
    await published(bo, { status: "processing", publishedAt: null });
    await insertVideo({ ownerId: ana.id, visibility: "public", status: "ready" });
    type Page = { videos: { id: string; channel: { handle: string } }[]; nextCursor: string | null };
    const first = await callJson<Page>("/api/feed?limit=2", { headers: me.auth });
    expect(first.status).toBe(200);
    expect(first.body.videos.map((v) => v.id)).toEqual([v3.id, v2.id]);
    expect(first.body.videos[0]!.channel.handle).toBe(ana.handle);
    const rest = await callJson<Page>(`/api/feed?limit=2&cursor=${first.body.nextCursor}`, {
      headers: me.auth,
    });
    expect(rest.body.videos.map((v) => v.id)).toEqual([v1.id]);
    expect(rest.body.nextCursor).toBeNull();
    expect((await callJson("/api/feed")).status).toBe(401);
    expect((await callJson("/api/feed?cursor=nonsense", { headers: me.auth })).status).toBe(400);
  });

  it("the query walks the partial feed index", async () => {
    const plan = await env.DB.prepare(
      `explain query plan select id from videos indexed by videos_feed_idx where visibility = 'public' and status = 'ready' and published_at is not null
       and owner_id in (select channel_id from subscriptions where subscriber_id = ?) order by published_at desc, id desc limit 24`,
    )
      .bind("u_x")
      .all<{ detail: string }>();
    const detail = plan.results.map((r) => r.detail).join(" | ");
    expect(detail).toContain("USING INDEX videos_feed_idx (owner_id=?");
  });
});
