import { env } from "cloudflare:workers";
import { HANDLE_REDIRECT_DAYS, MAX_HELD_HANDLES } from "@streamline/contracts";
import { beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, randomIp, signUp, type TestUser, uniqueName } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { call, callJson } from "../../../test/http.ts";

type Channel = {
  handle: string;
  displayName: string;
  description: string;
  avatarUrl: string | null;
  bannerUrl: string | null;
  links: { title: string; url: string }[];
  subscriberCount: number;
  videoCount: number;
  totalViews: number;
  createdAt: string;
};
type Mine = {
  channel: Channel;
  avatar: { pending: boolean; failure: string | null };
  heldHandles: { handle: string; expiresAt: string }[];
};
type Video = {
  id: string;
  channel: { handle: string; displayName: string; avatarUrl: string | null } | null;
};
type Page = { videos: Video[]; nextCursor: string | null };

const patch = (user: TestUser, json: unknown) =>
  callJson<Mine & { error?: { code: string; message: string; issues?: { path: string }[] } }>(
    "/api/me/channel",
    { method: "PATCH", json, headers: user.auth },
  );

describe("every account has a channel", () => {
  it("signup creates it (named after the handle) and GET /api/channels/:handle shows it", async () => {
    const user = await signUp();
    const { status, body } = await callJson<{ channel: Channel; subscribed: boolean }>(
      `/api/channels/${user.handle}`,
    );
    expect(status).toBe(200);
    expect(body.subscribed).toBe(false);
    expect(body.channel).toMatchObject({
      handle: user.handle,
      displayName: user.handle,
      description: "",
      avatarUrl: null,
      bannerUrl: null,
      links: [],
      subscriberCount: 0,
      videoCount: 0,
      totalViews: 0,
    });
  });

  it("an unknown, reserved or malformed handle is a 404 in the error shape", async () => {
    for (const handle of ["nobody-here-zz", "admin", "a", "Bad%20Name"]) {
      const { status, body } = await callJson<{ error: { code: string } }>(`/api/channels/${handle}`);
      expect(status, handle).toBe(404);
      expect(body.error.code).toBe("not_found");
    }
  });

  it("handle lookups are case-insensitive (the Handle schema lower-cases)", async () => {
    const user = await signUp();
    const { status, body } = await callJson<{ channel: Channel }>(
      `/api/channels/${user.handle.toUpperCase()}`,
    );
    expect(status).toBe(200);
    expect(body.channel.handle).toBe(user.handle);
  });
});

describe("PATCH /api/me/channel", () => {
  let owner: TestUser;
  let other: TestUser;
  beforeAll(async () => {
    [owner, other] = await Promise.all([signUp(), signUp()]);
  });

  it("edits the caller's own channel only", async () => {
    const edited = await patch(owner, {
      displayName: "  Ana Lima ",
      description: "Time-lapses.\nhttps://ana.example <b>not html</b>",
      links: [{ title: "Website", url: "https://ana.example/" }],
    });
    expect(edited.status).toBe(200);
    expect(edited.body.channel).toMatchObject({
      displayName: "Ana Lima",
      description: "Time-lapses.\nhttps://ana.example <b>not html</b>",
      links: [{ title: "Website", url: "https://ana.example/" }],
    });
    // The other user's edit lands on their channel, never on the owner's.
    expect((await patch(other, { displayName: "Someone else" })).status).toBe(200);
    const page = await callJson<{ channel: Channel }>(`/api/channels/${owner.handle}`);
    expect(page.body.channel.displayName).toBe("Ana Lima");
    const theirs = await callJson<{ channel: Channel }>(`/api/channels/${other.handle}`);
    expect(theirs.body.channel.displayName).toBe("Someone else");
  });

  it("needs a signed-in caller", async () => {
    expect((await call("/api/me/channel", { method: "PATCH", json: { displayName: "x" } })).status).toBe(401);
    expect((await call("/api/me/channel")).status).toBe(401);
  });

  it.each([
    ["empty body", {}],
    ["empty display name", { displayName: "   " }],
    ["display name over 50", { displayName: "x".repeat(51) }],
    ["control characters", { displayName: "a\u0007b" }],
    ["description over 5000", { description: "x".repeat(5001) }],
    [
      "six links",
      { links: Array.from({ length: 6 }, (_, i) => ({ title: `L${i}`, url: "https://a.example" })) },
    ],
    ["a javascript: link", { links: [{ title: "x", url: "javascript:alert(1)" }] }],
    ["a data: link", { links: [{ title: "x", url: "data:text/html,hi" }] }],
    ["a link without title", { links: [{ title: "", url: "https://a.example" }] }],
    ["a reserved handle", { handle: "admin" }],
    ["a handle too short", { handle: "ab" }],
    ["a handle with a dot", { handle: "ana.lima" }],
    ["a handle ending in -", { handle: "ana-" }],
  ])("refuses %s with 400 validation_failed", async (_, body) => {
    const res = await patch(owner, body);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe("validation_failed");
  });

  it("the reserved-handle refusal says so", async () => {
    const res = await patch(owner, { handle: "studio" });
    expect(res.body.error?.issues?.[0]).toMatchObject({ path: "handle", message: "that handle is reserved" });
  });

  it("accepts exactly 50 characters, 5000 of description and 5 links", async () => {
    const res = await patch(owner, {
      displayName: "n".repeat(50),
      description: "d".repeat(5000),
      links: Array.from({ length: 5 }, (_, i) => ({ title: `L${i}`, url: `http://l${i}.example` })),
    });
    expect(res.status).toBe(200);
    expect(res.body.channel.links).toHaveLength(5);
  });

  it("is rate limited per user (RL_EDITS: 429 with Retry-After)", async () => {
    const busy = await signUp();
    const answers: number[] = [];
    for (let i = 0; i < 61; i++) answers.push((await patch(busy, { description: `edit ${i}` })).status);
    expect(answers.slice(0, 60).every((s) => s === 200)).toBe(true);
    const refused = await patch(busy, { description: "one more" });
    expect(refused.status).toBe(429);
    expect(refused.res.headers.get("retry-after")).toBe("60");
  });

  it("a handle another channel has is 409 handle_taken", async () => {
    const res = await patch(owner, { handle: other.handle });
    expect(res.status).toBe(409);
    expect(res.body.error?.code).toBe("handle_taken");
  });
});

/** The Worker's own fetch would follow a 308 like a browser; these tests look at it. */
const MANUAL = { redirect: "manual" } as const;

async function expireRedirect(handle: string) {
  await env.DB.prepare("UPDATE handle_redirects SET expires_at = ?1 WHERE handle = ?2")
    .bind(Date.now() - 1, handle)
    .run();
}

describe("a handle change", () => {
  it("keeps the old handle redirecting (308) for the API, and nobody else can take it", async () => {
    const user = await signUp();
    const old = user.handle;
    const next = uniqueName("moved");
    const res = await patch(user, { handle: next });
    expect(res.status).toBe(200);
    expect(res.body.channel.handle).toBe(next);
    const held = res.body.heldHandles.find((h) => h.handle === old)!;
    const days = (Date.parse(held.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(HANDLE_REDIRECT_DAYS - 0.01);
    expect(days).toBeLessThanOrEqual(HANDLE_REDIRECT_DAYS);

    const moved = await call(`/api/channels/${old}`, MANUAL);
    expect(moved.status).toBe(308);
    expect(moved.headers.get("location")).toBe(`/api/channels/${next}`);
    const movedVideos = await call(`/api/channels/${old}/videos?sort=popular&limit=5`, MANUAL);
    expect(movedVideos.status).toBe(308);
    expect(movedVideos.headers.get("location")).toBe(`/api/channels/${next}/videos?sort=popular&limit=5`);

    // Not by signup, not by another channel's change.
    const signup = await callJson<{ error: { code: string } }>("/api/auth/signup", {
      method: "POST",
      json: { email: `${uniqueName()}@example.com`, password: PASSWORD, handle: old },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(signup.status).toBe(409);
    expect(signup.body.error.code).toBe("handle_taken");
    const someone = await signUp();
    expect((await patch(someone, { handle: old })).status).toBe(409);
  });

  it("its owner may take the old handle back, which then frees the other one into a redirect", async () => {
    const user = await signUp();
    const old = user.handle;
    const next = uniqueName("back");
    expect((await patch(user, { handle: next })).status).toBe(200);
    const back = await patch(user, { handle: old });
    expect(back.status).toBe(200);
    expect(back.body.channel.handle).toBe(old);
    expect(back.body.heldHandles.map((h) => h.handle)).toEqual([next]);
    expect((await call(`/api/channels/${old}`)).status).toBe(200);
    expect((await call(`/api/channels/${next}`, MANUAL)).headers.get("location")).toBe(
      `/api/channels/${old}`,
    );
  });

  it(`holds at most ${MAX_HELD_HANDLES} old handles: one more change is 429 until the oldest expires`, async () => {
    const user = await signUp();
    const first = user.handle;
    for (let i = 0; i < MAX_HELD_HANDLES; i++) {
      expect((await patch(user, { handle: uniqueName("hop") })).status).toBe(200);
    }
    const refused = await patch(user, { handle: uniqueName("hop") });
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe("handle_change_limit");
    expect(Number(refused.res.headers.get("retry-after"))).toBeGreaterThan(0);
    await expireRedirect(first);
    expect((await patch(user, { handle: uniqueName("hop") })).status).toBe(200);
  });

  it("once the redirect expires the old handle is a 404, and anyone may take it", async () => {
    const user = await signUp();
    const old = user.handle;
    expect((await patch(user, { handle: uniqueName("gone") })).status).toBe(200);
    await expireRedirect(old);
    expect((await call(`/api/channels/${old}`)).status).toBe(404);
    const taker = await signUp();
    expect((await patch(taker, { handle: old })).status).toBe(200);
    const page = await callJson<{ channel: Channel }>(`/api/channels/${old}`);
    expect(page.status).toBe(200);
    expect(page.body.channel.displayName).toBe(taker.handle);
  });
});

describe("GET /api/channels/:handle/videos", () => {
  let owner: TestUser;
  const listed: string[] = [];
  beforeAll(async () => {
    owner = await signUp();
    const other = await signUp();
    const base = Date.now() - 100_000;
    const ready = { status: "ready" as const, playable: true, ownerId: owner.id };
    for (const [i, views] of [5, 50, 0].entries()) {
      const v = await insertVideo({
        ...ready,
        visibility: "public",
        createdAt: base + i * 1000,
        viewCount: views,
      });
      listed.push(v.id);
    }
    await insertVideo({ ...ready, visibility: "private", createdAt: base + 5000, viewCount: 999 });
    await insertVideo({ ...ready, visibility: "unlisted", createdAt: base + 6000, viewCount: 999 });
    await insertVideo({ ownerId: owner.id, visibility: "public", status: "failed", createdAt: base + 7000 });
    await insertVideo({
      ownerId: owner.id,
      visibility: "public",
      status: "processing",
      createdAt: base + 8000,
    });
    await insertVideo({ ...ready, ownerId: other.id, visibility: "public", createdAt: base + 9000 });
  });

  const ids = (page: Page) => page.videos.map((v) => v.id);

  it("lists only public, ready videos of that channel, newest first, with the channel on each", async () => {
    const { status, body } = await callJson<Page>(`/api/channels/${owner.handle}/videos`);
    expect(status).toBe(200);
    expect(ids(body)).toEqual([listed[2], listed[1], listed[0]]);
    expect(body.nextCursor).toBeNull();
    for (const v of body.videos) {
      expect(v.channel).toEqual({ handle: owner.handle, displayName: owner.handle, avatarUrl: null });
    }
  });

  it("counts those videos and their views on the channel", async () => {
    const { body } = await callJson<{ channel: Channel }>(`/api/channels/${owner.handle}`);
    expect(body.channel).toMatchObject({ videoCount: 3, totalViews: 55 });
  });

  it("sort=popular orders by views; pages follow the cursor for each sort", async () => {
    const first = await callJson<Page>(`/api/channels/${owner.handle}/videos?sort=popular&limit=2`);
    expect(ids(first.body)).toEqual([listed[1], listed[0]]);
    expect(first.body.nextCursor).toMatch(/^5\.v_/);
    const second = await callJson<Page>(
      `/api/channels/${owner.handle}/videos?sort=popular&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(ids(second.body)).toEqual([listed[2]]);
    expect(second.body.nextCursor).toBeNull();

    const newest = await callJson<Page>(`/api/channels/${owner.handle}/videos?sort=newest&limit=2`);
    expect(ids(newest.body)).toEqual([listed[2], listed[1]]);
    const rest = await callJson<Page>(
      `/api/channels/${owner.handle}/videos?sort=newest&limit=2&cursor=${newest.body.nextCursor}`,
    );
    expect(ids(rest.body)).toEqual([listed[0]]);
  });

  it("refuses a bad sort or cursor with 400", async () => {
    expect((await call(`/api/channels/${owner.handle}/videos?sort=views`)).status).toBe(400);
    expect((await call(`/api/channels/${owner.handle}/videos?cursor=nope`)).status).toBe(400);
  });

  it("the owner's private videos stay out even for the owner", async () => {
    const { body } = await callJson<Page>(`/api/channels/${owner.handle}/videos`, { headers: owner.auth });
    expect(ids(body)).toHaveLength(3);
  });
});

describe("VideoDto.channel", () => {
  it("is on every video DTO: one video, the public list, the owner's list", async () => {
    const owner = await signUp();
    expect((await patch(owner, { displayName: "Channel Name" })).status).toBe(200);
    const video = await insertVideo({
      ownerId: owner.id,
      status: "ready",
      playable: true,
      visibility: "public",
    });
    const expected = { handle: owner.handle, displayName: "Channel Name", avatarUrl: null };

    const one = await callJson<Video>(`/api/videos/${video.id}`);
    expect(one.body.channel).toEqual(expected);
    const mine = await callJson<Page>("/api/me/videos", { headers: owner.auth });
    expect(mine.body.videos.find((v) => v.id === video.id)?.channel).toEqual(expected);
    const home = await callJson<Page>("/api/videos?limit=100");
    expect(home.body.videos.find((v) => v.id === video.id)?.channel).toEqual(expected);
    for (const v of home.body.videos) expect(v).toHaveProperty("channel");
  });
});
