import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { callJson } from "../../../test/http.ts";

type Counts = { likeCount: number; dislikeCount?: number; myReaction: string | null };
type Video = { likeCount: number; dislikeCount?: number; myReaction?: string | null };

const react = (user: TestUser | null, videoId: string, value: string) =>
  callJson<Counts & { error: { code: string } }>(`/api/videos/${videoId}/reaction`, {
    method: "PUT",
    json: { value },
    headers: user?.auth ?? {},
  });

const videoAs = (user: TestUser | null, id: string) =>
  callJson<Video>(`/api/videos/${id}`, { headers: user?.auth ?? {} }).then((r) => r.body);

async function stored(videoId: string) {
  return env.DB.prepare("select like_count as likes, dislike_count as dislikes from videos where id = ?")
    .bind(videoId)
    .first<{ likes: number; dislikes: number }>();
}

describe("PUT /api/videos/:id/reaction", () => {
  let owner: TestUser;
  let viewer: TestUser;
  let other: TestUser;
  beforeAll(async () => {
    [owner, viewer, other] = await Promise.all([signUp(), signUp(), signUp()]);
  });

  it("one reaction per user, toggled: like → dislike → none moves the counters exactly", async () => {
    const video = await insertVideo({ ownerId: owner.id, visibility: "public" });
    expect((await react(viewer, video.id, "like")).body).toEqual({ likeCount: 1, myReaction: "like" });
    expect((await react(other, video.id, "like")).body).toMatchObject({ likeCount: 2 });
    const switched = await react(viewer, video.id, "dislike");
    expect(switched.body).toEqual({ likeCount: 1, myReaction: "dislike" });
    expect(await stored(video.id)).toEqual({ likes: 1, dislikes: 1 });
    expect((await react(viewer, video.id, "none")).body).toEqual({ likeCount: 1, myReaction: null });
    expect(await stored(video.id)).toEqual({ likes: 1, dislikes: 0 });
    const rows = await env.DB.prepare("select count(*) as n from video_reactions where video_id = ?")
      .bind(video.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
  });

  it("repeating the same value, even concurrently, cannot inflate the counts", async () => {
    const video = await insertVideo({ ownerId: owner.id, visibility: "public" });
    for (let i = 0; i < 5; i++) await react(viewer, video.id, "like");
    await Promise.all(Array.from({ length: 10 }, () => react(viewer, video.id, "like")));
    await Promise.all(Array.from({ length: 6 }, () => react(other, video.id, "dislike")));
    expect(await stored(video.id)).toEqual({ likes: 1, dislikes: 1 });
    await Promise.all(Array.from({ length: 6 }, () => react(other, video.id, "none")));
    expect(await stored(video.id)).toEqual({ likes: 1, dislikes: 0 });
  });

  it("dislikes are shown to the owner only; likes and the caller's own reaction to everyone", async () => {
    const video = await insertVideo({ ownerId: owner.id, visibility: "public" });
    await react(viewer, video.id, "dislike");
    await react(other, video.id, "like");
    const mine = await react(owner, video.id, "like");
    expect(mine.body).toEqual({ likeCount: 2, dislikeCount: 1, myReaction: "like" });
    const asViewer = await videoAs(viewer, video.id);
    expect(asViewer.likeCount).toBe(2);
    expect(asViewer).not.toHaveProperty("dislikeCount");
    expect(asViewer.myReaction).toBe("dislike");
    const anonymous = await videoAs(null, video.id);
    expect(anonymous).not.toHaveProperty("dislikeCount");
    expect(anonymous).not.toHaveProperty("myReaction");
    expect(await videoAs(owner, video.id)).toMatchObject({
      likeCount: 2,
      dislikeCount: 1,
      myReaction: "like",
    });
    expect((await react(viewer, video.id, "none")).body).not.toHaveProperty("dislikeCount");
  });

  it("signed-in only; a private video is 404 to others; bad values are 400", async () => {
    const video = await insertVideo({ ownerId: owner.id, visibility: "private" });
    expect((await react(null, video.id, "like")).status).toBe(401);
    const hidden = await react(viewer, video.id, "like");
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe("not_found");
    expect((await react(owner, video.id, "like")).status).toBe(200);
    expect((await react(viewer, "v_AAAAAAAAAAAAAAAA", "like")).status).toBe(404);
    const bad = await react(viewer, video.id, "love");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
  });

  it("deleting the account's reaction rows with the video leaves nothing behind", async () => {
    const video = await insertVideo({ ownerId: owner.id, visibility: "public" });
    await react(viewer, video.id, "like");
    await env.DB.prepare("delete from videos where id = ?").bind(video.id).run();
    const rows = await env.DB.prepare("select count(*) as n from video_reactions where video_id = ?")
      .bind(video.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });
});
