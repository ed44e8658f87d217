import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { callJson } from "../../../test/http.ts";
import { matchesBlockedWord } from "./blocked-words.ts";

type Comment = {
  id: string;
  author: { handle: string } | null;
  text: string;
  editedAt?: string;
  likeCount: number;
  replyCount: number;
  pinned: boolean;
  held?: boolean;
  parentId?: string;
  liked?: boolean;
  mine?: boolean;
};
type Page = { comments: Comment[]; nextCursor: string | null };
type Err = { error: { code: string; message: string } };

const auth = (user: TestUser | null) => user?.auth ?? {};

async function verified(): Promise<TestUser> {
  const user = await signUp();
  await env.DB.prepare("update users set email_verified_at = ? where id = ?").bind(Date.now(), user.id).run();
  return user;
}

const post = (user: TestUser | null, videoId: string, text: string, parentId?: string) =>
  callJson<Comment & Err>(`/api/videos/${videoId}/comments`, {
    method: "POST",
    json: parentId ? { text, parentId } : { text },
    headers: auth(user),
  });

const list = (user: TestUser | null, videoId: string, query = "") =>
  callJson<Page & Err>(`/api/videos/${videoId}/comments${query}`, { headers: auth(user) });

const replies = (user: TestUser | null, id: string, query = "") =>
  callJson<Page & Err>(`/api/comments/${id}/replies${query}`, { headers: auth(user) });

const act = (user: TestUser | null, method: string, path: string, json?: unknown) =>
  callJson<Comment & Err & { likeCount: number; liked: boolean }>(path, {
    method,
    headers: auth(user),
    ...(json === undefined ? {} : { json }),
  });

async function counts(videoId: string) {
  return env.DB.prepare("select comment_count as n from videos where id = ?")
    .bind(videoId)
    .first<{ n: number }>()
    .then((r) => r?.n);
}

const publicVideo = (owner: TestUser, extra: Record<string, unknown> = {}) =>
  insertVideo({ ownerId: owner.id, visibility: "public", ...extra });

describe("posting comments", () => {
  let owner: TestUser;
  let viewer: TestUser;
  beforeAll(async () => {
    [owner, viewer] = await Promise.all([verified(), verified()]);
  });

  it("201 with the author's channel; counted on the video; shown to everyone", async () => {
    const video = await publicVideo(owner);
    const res = await post(viewer, video.id, "  Lovely <b>light</b>\r\nat 0:12  ");
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      text: "Lovely <b>light</b>\nat 0:12",
      likeCount: 0,
      replyCount: 0,
      pinned: false,
      mine: true,
      author: { handle: viewer.handle },
    });
    expect(res.body.id).toMatch(/^c_[A-Za-z0-9]{16}$/);
    expect(await counts(video.id)).toBe(1);
    const anonymous = await list(null, video.id);
    expect(anonymous.body.comments.map((c) => c.id)).toEqual([res.body.id]);
    expect(anonymous.body.comments[0]).not.toHaveProperty("mine");
    const dto = await callJson<{ commentCount: number; commentsMode: string }>(`/api/videos/${video.id}`);
    expect(dto.body).toMatchObject({ commentCount: 1, commentsMode: "on" });
  });

  it("an unverified address is refused with 403 email_unverified (always, whatever REQUIRE_EMAIL_VERIFICATION says)", async () => {
    const video = await publicVideo(owner);
    const unverified = await signUp();
    const res = await post(unverified, video.id, "hello");
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("email_unverified");
    expect(await counts(video.id)).toBe(0);
  });

  it("signed-in only (401), empty or over 10,000 characters or control characters is 400", async () => {
    const video = await publicVideo(owner);
    expect((await post(null, video.id, "hi")).status).toBe(401);
    for (const text of ["   ", "x".repeat(10_001), "bell\u0007"]) {
      const res = await post(viewer, video.id, text);
      expect(res.status, JSON.stringify(text.slice(0, 10))).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    expect((await post(viewer, video.id, "x".repeat(10_000))).status).toBe(201);
  });

  it("a private video is 404 for comments, lists and replies alike", async () => {
    const video = await insertVideo({ ownerId: owner.id, visibility: "private" });
    const mine = await post(owner, video.id, "note to self");
    expect(mine.status).toBe(201);
    expect((await post(viewer, video.id, "hi")).status).toBe(404);
    expect((await list(viewer, video.id)).status).toBe(404);
    expect((await list(null, video.id)).status).toBe(404);
    expect((await replies(viewer, mine.body.id)).status).toBe(404);
    expect((await act(viewer, "PUT", `/api/comments/${mine.body.id}/like`, { liked: true })).status).toBe(
      404,
    );
  });

  it("comments off: 403 comments_disabled to write; existing ones hidden from all but the owner", async () => {
    const video = await publicVideo(owner);
    const before = await post(viewer, video.id, "first!");
    const off = await act(owner, "PATCH", `/api/videos/${video.id}`, { commentsMode: "off" });
    expect(off.status).toBe(200);
    const refused = await post(viewer, video.id, "second");
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("comments_disabled");
    expect((await list(viewer, video.id)).body.comments).toEqual([]);
    expect((await list(owner, video.id)).body.comments.map((c) => c.id)).toEqual([before.body.id]);
    const edit = await act(viewer, "PATCH", `/api/comments/${before.body.id}`, { text: "edited" });
    expect(edit.status).toBe(404);
  });

  it("the comments mode is the owner's to change (404 for others, 400 for an unknown mode)", async () => {
    const video = await publicVideo(owner);
    expect((await act(viewer, "PATCH", `/api/videos/${video.id}`, { commentsMode: "off" })).status).toBe(404);
    expect((await act(owner, "PATCH", `/api/videos/${video.id}`, { commentsMode: "maybe" })).status).toBe(
      400,
    );
  });
});

describe("threads", () => {
  let owner: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    [owner, alice, bob] = await Promise.all([verified(), verified(), verified()]);
  });

  it("a reply counts on its thread and the video; a reply to a reply joins the thread with an @mention", async () => {
    const video = await publicVideo(owner);
    const top = await post(alice, video.id, "what camera?");
    const reply = await post(bob, video.id, "looks like a phone", top.body.id);
    expect(reply.status).toBe(201);
    expect(reply.body.parentId).toBe(top.body.id);
    const nested = await post(alice, video.id, "no way", reply.body.id);
    expect(nested.status).toBe(201);
    expect(nested.body.parentId).toBe(top.body.id);
    expect(nested.body.text).toBe(`@${bob.handle} no way`);
    const already = await post(owner, video.id, `@${alice.handle} it was a phone`, nested.body.id);
    expect(already.body.text).toBe(`@${alice.handle} it was a phone`);

    const page = await list(null, video.id);
    expect(page.body.comments.map((c) => c.id)).toEqual([top.body.id]);
    expect(page.body.comments[0]!.replyCount).toBe(3);
    const thread = await replies(null, top.body.id);
    expect(thread.body.comments.map((c) => c.id)).toEqual([reply.body.id, nested.body.id, already.body.id]);
    expect(await counts(video.id)).toBe(4);
  });

  it("a parent from another video is 404", async () => {
    const [a, b] = await Promise.all([publicVideo(owner), publicVideo(owner)]);
    const top = await post(alice, a.id, "hello");
    expect((await post(bob, b.id, "hijack", top.body.id)).status).toBe(404);
  });

  it("deleting a thread takes its replies and their count with it; deleting twice subtracts nothing", async () => {
    const video = await publicVideo(owner);
    const top = await post(alice, video.id, "thread");
    await post(bob, video.id, "r1", top.body.id);
    const r2 = await post(bob, video.id, "r2", top.body.id);
    await post(alice, video.id, "another");
    expect(await counts(video.id)).toBe(4);
    expect((await act(bob, "DELETE", `/api/comments/${r2.body.id}`)).status).toBe(204);
    expect(await counts(video.id)).toBe(3);
    expect((await list(null, video.id)).body.comments.find((c) => c.id === top.body.id)?.replyCount).toBe(1);
    expect((await act(alice, "DELETE", `/api/comments/${top.body.id}`)).status).toBe(204);
    expect(await counts(video.id)).toBe(1);
    expect((await act(alice, "DELETE", `/api/comments/${top.body.id}`)).status).toBe(404);
    expect(await counts(video.id)).toBe(1);
  });
});

describe("permissions: owner vs author vs stranger", () => {
  let owner: TestUser;
  let author: TestUser;
  let stranger: TestUser;
  let videoId: string;
  beforeAll(async () => {
    [owner, author, stranger] = await Promise.all([verified(), verified(), verified()]);
    videoId = (await publicVideo(owner)).id;
  });

  it("edit: the author only (marked edited); the owner and a stranger get 403", async () => {
    const c = await post(author, videoId, "typo");
    for (const user of [owner, stranger]) {
      const res = await act(user, "PATCH", `/api/comments/${c.body.id}`, { text: "vandal" });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    const ok = await act(author, "PATCH", `/api/comments/${c.body.id}`, { text: "fixed" });
    expect(ok.status).toBe(200);
    expect(ok.body.text).toBe("fixed");
    expect(ok.body.editedAt).toBeTruthy();
  });

  it("delete: the author or the video's owner; a stranger gets 403", async () => {
    const [a, b] = [await post(author, videoId, "one"), await post(author, videoId, "two")];
    expect((await act(stranger, "DELETE", `/api/comments/${a.body.id}`)).status).toBe(403);
    expect((await act(author, "DELETE", `/api/comments/${a.body.id}`)).status).toBe(204);
    expect((await act(owner, "DELETE", `/api/comments/${b.body.id}`)).status).toBe(204);
  });

  it("pin: the owner only, top-level only, one per video (pinning another unpins), shown first", async () => {
    const first = await post(author, videoId, "pin me");
    const second = await post(stranger, videoId, "no, me");
    const reply = await post(stranger, videoId, "a reply", first.body.id);
    expect((await act(author, "POST", `/api/comments/${first.body.id}/pin`)).status).toBe(403);
    const replyPin = await act(owner, "POST", `/api/comments/${reply.body.id}/pin`);
    expect(replyPin.status).toBe(409);
    expect(replyPin.body.error.code).toBe("not_top_level");
    expect((await act(owner, "POST", `/api/comments/${first.body.id}/pin`)).body.pinned).toBe(true);
    expect((await list(null, videoId)).body.comments[0]).toMatchObject({ id: first.body.id, pinned: true });
    await act(owner, "POST", `/api/comments/${second.body.id}/pin`);
    const page = (await list(null, videoId)).body.comments;
    expect(page[0]).toMatchObject({ id: second.body.id, pinned: true });
    expect(page.filter((c) => c.pinned)).toHaveLength(1);
    expect(page.filter((c) => c.id === first.body.id)).toHaveLength(1);
    expect((await act(owner, "DELETE", `/api/comments/${second.body.id}/pin`)).body.pinned).toBe(false);
  });

  it("approve: the owner only (a stranger cannot even see the held comment: 404)", async () => {
    await callJson("/api/me/channel/blocked-words", {
      method: "PUT",
      json: { words: ["zzspam"] },
      headers: owner.auth,
    });
    const held = await post(author, videoId, "buy zzspam");
    expect(held.body.held).toBe(true);
    expect((await act(stranger, "POST", `/api/comments/${held.body.id}/approve`)).status).toBe(404);
    const answer = await post(owner, videoId, "not yet", held.body.id);
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe("comment_held");
    expect((await act(author, "POST", `/api/comments/${held.body.id}/approve`)).status).toBe(403);
    expect((await act(owner, "POST", `/api/comments/${held.body.id}/approve`)).status).toBe(200);
  });
});

describe("held for review", () => {
  let owner: TestUser;
  let author: TestUser;
  let stranger: TestUser;
  beforeAll(async () => {
    [owner, author, stranger] = await Promise.all([verified(), verified(), verified()]);
    const res = await callJson<{ words: string[] }>("/api/me/channel/blocked-words", {
      method: "PUT",
      json: { words: ["Free Money", "spam", "spam", " scam "] },
      headers: owner.auth,
    });
    expect(res.body, JSON.stringify(res.body)).toEqual({ words: ["free money", "spam", "scam"] });
  });

  it("blocked words hold a comment: only its author and the owner see it, uncounted until approved", async () => {
    const video = await publicVideo(owner);
    const clean = await post(stranger, video.id, "a classic spammer-free comment about classes");
    expect(clean.body.held).toBeUndefined();
    const held = await post(author, video.id, "get FREE\n money here");
    expect(held.status).toBe(201);
    expect(held.body.held).toBe(true);
    expect(await counts(video.id)).toBe(1);
    const ids = async (user: TestUser | null) => (await list(user, video.id)).body.comments.map((c) => c.id);
    expect(await ids(null)).toEqual([clean.body.id]);
    expect(await ids(stranger)).toEqual([clean.body.id]);
    expect(await ids(author)).toEqual([held.body.id, clean.body.id]);
    expect(await ids(owner)).toEqual([held.body.id, clean.body.id]);
    expect((await replies(stranger, held.body.id)).status).toBe(404);
    const review = await callJson<Page>(`/api/videos/${video.id}/comments/held`, { headers: owner.auth });
    expect(review.body.comments.map((c) => c.id)).toEqual([held.body.id]);
    expect((await callJson(`/api/videos/${video.id}/comments/held`, { headers: stranger.auth })).status).toBe(
      404,
    );

    await act(owner, "POST", `/api/comments/${held.body.id}/approve`);
    await act(owner, "POST", `/api/comments/${held.body.id}/approve`);
    expect(await counts(video.id)).toBe(2);
    expect(await ids(stranger)).toEqual([held.body.id, clean.body.id]);
  });

  it("an edit that adds a blocked word sends the comment back to review", async () => {
    const video = await publicVideo(owner);
    const c = await post(author, video.id, "innocent");
    expect(await counts(video.id)).toBe(1);
    const edited = await act(author, "PATCH", `/api/comments/${c.body.id}`, { text: "total scam" });
    expect(edited.body.held).toBe(true);
    expect(await counts(video.id)).toBe(0);
    expect((await list(stranger, video.id)).body.comments).toEqual([]);
  });

  it("held-for-approval mode holds every comment but the owner's own", async () => {
    const video = await publicVideo(owner, { commentsMode: "held" });
    expect((await post(stranger, video.id, "nice")).body.held).toBe(true);
    expect((await post(owner, video.id, "thanks all")).body.held).toBeUndefined();
    expect(await counts(video.id)).toBe(1);
  });

  it("blocked words: only the signed-in owner's list; too many is 400", async () => {
    expect((await callJson("/api/me/channel/blocked-words")).status).toBe(401);
    const mine = await callJson<{ words: string[] }>("/api/me/channel/blocked-words", {
      headers: owner.auth,
    });
    expect(mine.body.words).toEqual(["free money", "spam", "scam"]);
    const other = await callJson<{ words: string[] }>("/api/me/channel/blocked-words", {
      headers: author.auth,
    });
    expect(other.body.words).toEqual([]);
    const many = Array.from({ length: 301 }, (_, i) => `w${i}`);
    const res = await callJson("/api/me/channel/blocked-words", {
      method: "PUT",
      json: { words: many },
      headers: author.auth,
    });
    expect(res.status).toBe(400);
  });

  it("matching is on whole words, any case, phrases across any whitespace", () => {
    expect(matchesBlockedWord("Spam!", ["spam"])).toBe(true);
    expect(matchesBlockedWord("spammer", ["spam"])).toBe(false);
    expect(matchesBlockedWord("free   MONEY", ["free money"])).toBe(true);
    expect(matchesBlockedWord("ñspam", ["spam"])).toBe(false);
    expect(matchesBlockedWord("a.b", ["a.b"])).toBe(true);
    expect(matchesBlockedWord("axb", ["a.b"])).toBe(false);
  });
});

describe("paging and likes", () => {
  let owner: TestUser;
  let users: TestUser[];
  let videoId: string;
  let ids: string[];
  beforeAll(async () => {
    owner = await verified();
    users = await Promise.all(Array.from({ length: 4 }, () => verified()));
    videoId = (await publicVideo(owner)).id;
    ids = [];
    // 25 comments (more than a page of 20) written straight to D1, a millisecond apart.
    const base = Date.now() - 100_000;
    for (let i = 0; i < 25; i++) {
      const id = `c_page${String(i).padStart(12, "0")}`;
      ids.push(id);
      await env.DB.prepare(
        "insert into comments (id, video_id, author_id, text, created_at) values (?, ?, ?, ?, ?)",
      )
        .bind(id, videoId, users[i % 4]!.id, `comment ${i}`, base + i)
        .run();
    }
  });

  it("newest: 20 then 5, no duplicates, newest first", async () => {
    const first = await list(null, videoId, "?sort=newest");
    expect(first.body.comments).toHaveLength(20);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await list(null, videoId, `?sort=newest&cursor=${first.body.nextCursor}`);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.comments, ...second.body.comments].map((c) => c.id);
    expect(all).toEqual([...ids].reverse());
  });

  it("comment likes: once per user, repeat-proof, and top orders by likes", async () => {
    const [a, b, c] = users as [TestUser, TestUser, TestUser];
    const target = ids[3]!;
    for (const user of [a, b, c, a, b]) {
      const res = await act(user, "PUT", `/api/comments/${target}/like`, { liked: true });
      expect(res.status).toBe(200);
    }
    const second = ids[10]!;
    await act(a, "PUT", `/api/comments/${second}/like`, { liked: true });
    await act(b, "PUT", `/api/comments/${second}/like`, { liked: true });
    await act(b, "PUT", `/api/comments/${second}/like`, { liked: false });
    const off = await act(b, "PUT", `/api/comments/${second}/like`, { liked: false });
    expect(off.body).toEqual({ likeCount: 1, liked: false });

    const top = await list(a, videoId, "?sort=top");
    expect(top.body.comments.slice(0, 2).map((x) => [x.id, x.likeCount, x.liked])).toEqual([
      [target, 3, true],
      [second, 1, true],
    ]);
    const rest = await list(a, videoId, `?sort=top&cursor=${top.body.nextCursor}`);
    const all = [...top.body.comments, ...rest.body.comments].map((x) => x.id);
    expect(new Set(all).size).toBe(25);
    expect(rest.body.nextCursor).toBeNull();
  });

  it("a malformed cursor or sort is 400, not a 500", async () => {
    expect((await list(null, videoId, "?cursor=abc")).status).toBe(400);
    expect((await list(null, videoId, "?sort=best")).status).toBe(400);
    const badId = await replies(null, "c_nope");
    expect(badId.status).toBe(404);
    expect(badId.body.error.message).toBe("comment not found");
  });
});

describe("rate limits", () => {
  it("comments are limited per user (RL_COMMENTS: 10 a minute), then 429 with Retry-After", async () => {
    const [owner, chatty] = await Promise.all([verified(), verified()]);
    const video = await publicVideo(owner);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 12; i++) {
      const res = await post(chatty, video.id, `message ${i}`);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.res.headers.get("retry-after");
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(retryAfter).toBe("60");
    expect(await counts(video.id)).toBe(10);
  });
});
