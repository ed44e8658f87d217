import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { VideoDto } from "@streamline/contracts";
import { beforeAll, describe, expect, it } from "vitest";
import { callJson, signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo, postEvent, repo } from "../../../test/fixtures.ts";
import worker from "../../index.ts";
import { services } from "../../lib/services.ts";
import { publishScheduled } from "./scheduled-publish.ts";

type ErrorBody = { error: { code: string; issues?: { path: string; message: string }[] } };
type Created = { videoId: string };

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
const FILE = { filename: "clip.mp4", size: 9_000_000, contentType: "video/mp4" };

let owner: TestUser;
let other: TestUser;
beforeAll(async () => {
  owner = await signUp();
  other = await signUp();
});

/**
 * Each upload by a fresh user: upload creation is rate-limited (RL_UPLOADS) and capped
 * (MAX_UNFINISHED_UPLOADS) per user, and these tests make many.
 */
async function upload(extra: Record<string, unknown>) {
  const user = await signUp();
  const res = await callJson<Created & ErrorBody>("/api/uploads", {
    method: "POST",
    json: { ...FILE, ...extra },
    headers: user.auth,
  });
  return { ...res, user, id: res.body.videoId };
}

function patch(id: string, body: unknown, user = owner) {
  return callJson<VideoDto & ErrorBody>(`/api/videos/${id}`, {
    method: "PATCH",
    json: body,
    headers: user.auth,
  });
}

const getVideo = (id: string, user?: TestUser) =>
  callJson<VideoDto & ErrorBody>(`/api/videos/${id}`, { headers: user?.auth ?? {} });

async function storedTags(id: string) {
  return (await repo().tags(id)).sort();
}

describe("tags, category and description at upload time", () => {
  it("normalizes tags, keeps video_tags in step and parses chapters", async () => {
    const created = await upload({
      title: "Trip",
      description: "Our trip.\n0:00 Intro\n1:23 The beach\n1:02:03 Home",
      tags: ["#Travel", "  Beach  Days ", "travel", "日本"],
      category: "travel",
      visibility: "unlisted",
    });
    expect(created.status).toBe(201);
    const { body: video } = await getVideo(created.id, created.user);
    expect(video).toMatchObject({
      tags: ["travel", "beach days", "日本"],
      category: "travel",
      visibility: "unlisted",
      publishedAt: null,
      publishAt: null,
      chapters: [
        { startSec: 0, title: "Intro" },
        { startSec: 83, title: "The beach" },
        { startSec: 3723, title: "Home" },
      ],
    });
    expect(await storedTags(video.id)).toEqual(["beach days", "travel", "日本"]);
  });

  it.each([
    [{ tags: Array.from({ length: 16 }, (_, i) => `t${i}`) }, "tags"],
    [{ tags: ["ok", "no/slash"] }, "tags.1"],
    [{ tags: ["x".repeat(31)] }, "tags.0"],
    [{ category: "crypto" }, "category"],
    [{ category: "Music" }, "category"],
    [{ publishAt: new Date(Date.now() - 60_000).toISOString() }, "publishAt"],
    [{ publishAt: "next friday" }, "publishAt"],
    [{ publishAt: inMinutes(60), visibility: "public" }, "publishAt"],
  ])("refuses %j with a 400 naming %s", async (extra, path) => {
    const res = await upload(extra);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.issues?.map((i) => i.path)).toContain(path);
  });

  it("15 distinct tags pass (duplicates after normalization do not count)", async () => {
    const tags = [...Array.from({ length: 15 }, (_, i) => `Tag ${i}`), "#tag 0", "TAG 1"];
    const created = await upload({ tags });
    expect(created.status).toBe(201);
    expect((await getVideo(created.id, created.user)).body.tags).toHaveLength(15);
  });

  it("a schedule without a visibility makes the upload private until then", async () => {
    const at = inMinutes(90);
    const created = await upload({ publishAt: at });
    expect(created.status).toBe(201);
    const { body } = await getVideo(created.id, created.user);
    expect(body.visibility).toBe("private");
    expect(body.publishAt).toBe(at);
  });
});

describe("PATCH /api/videos/:id metadata", () => {
  it("replaces tags (and video_tags), clears a category with null, reparses chapters", async () => {
    const { id, user } = await upload({ tags: ["old", "keep"], category: "music" });
    const res = await patch(
      id,
      { tags: ["Keep", "#New"], category: null, description: "0:00 Start\n0:30 Middle" },
      user,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tags: ["keep", "new"], category: null });
    expect(res.body.chapters).toEqual([
      { startSec: 0, title: "Start" },
      { startSec: 30, title: "Middle" },
    ]);
    expect(await storedTags(id)).toEqual(["keep", "new"]);
    // A description without valid chapters drops them.
    const plain = await patch(id, { description: "0:10 Not first\n0:20 x" }, user);
    expect(plain.body.chapters).toBeUndefined();
    const emptied = await patch(id, { tags: [] }, user);
    expect(emptied.body.tags).toEqual([]);
    expect(await storedTags(id)).toEqual([]);
  });

  it("schedules only private videos; null clears; going public drops the schedule", async () => {
    const { id, user } = await upload({ visibility: "public" });
    const onPublic = await patch(id, { publishAt: inMinutes(30) }, user);
    expect(onPublic.status).toBe(400);
    expect(onPublic.body.error.issues?.[0]?.path).toBe("publishAt");

    const at = inMinutes(30);
    const scheduled = await patch(id, { visibility: "private", publishAt: at }, user);
    expect(scheduled.status).toBe(200);
    expect(scheduled.body).toMatchObject({ visibility: "private", publishAt: at });

    const cleared = await patch(id, { publishAt: null }, user);
    expect(cleared.body.publishAt).toBeNull();

    await patch(id, { publishAt: at }, user);
    const published = await patch(id, { visibility: "unlisted" }, user);
    expect(published.body).toMatchObject({ visibility: "unlisted", publishAt: null });
    expect((await repo().find(id))!.publishAt).toBeNull();
  });

  it("publishAt is shown to the owner only", async () => {
    const row = await insertVideo({ ownerId: owner.id, visibility: "unlisted", status: "ready" });
    const mine = await getVideo(row.id, owner);
    expect(mine.body).toHaveProperty("publishAt", null);
    const theirs = await getVideo(row.id, other);
    expect(theirs.status).toBe(200);
    expect(theirs.body).not.toHaveProperty("publishAt");
  });

  it("someone else's video is a 404 and stays as it was", async () => {
    const { id } = await upload({ tags: ["mine"] });
    const res = await patch(id, { tags: ["hijacked"], category: "news" }, other);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    const row = (await repo().find(id))!;
    expect(row.tagsJson).toBe('["mine"]');
    expect(row.category).toBeNull();
    expect(await storedTags(id)).toEqual(["mine"]);
  });

  it("publishedAt is set the first time a ready video is public, and kept after", async () => {
    const row = await insertVideo({
      ownerId: owner.id,
      visibility: "private",
      status: "ready",
      playable: true,
    });
    const before = Date.now();
    const res = await patch(row.id, { visibility: "public" });
    const first = res.body.publishedAt;
    expect(Date.parse(first!)).toBeGreaterThanOrEqual(before - 1000);
    await patch(row.id, { visibility: "private" });
    const again = await patch(row.id, { visibility: "public" });
    expect(again.body.publishedAt).toBe(first);
  });

  it("a public video that is still processing is published when the fleet says it is done", async () => {
    const row = await insertVideo({ ownerId: owner.id, visibility: "private", status: "processing" });
    expect((await patch(row.id, { visibility: "public" })).body.publishedAt).toBeNull();
    const own = `videos/${row.id}/`;
    const rendition = {
      name: "360p",
      kind: "video",
      width: 640,
      height: 360,
      bandwidth: 900_000,
      averageBandwidth: 700_000,
      codecs: "avc1.64001e,mp4a.40.2",
      frameRate: 30,
      playlist: "360p/index.m3u8",
    };
    const probe = {
      durationSec: 10,
      width: 640,
      height: 360,
      displayWidth: 640,
      displayHeight: 360,
      rotation: 0,
      fps: 30,
      videoCodec: "h264",
      audioCodec: "aac",
      hasAudio: true,
      audioTracks: 1,
    };
    const done = await postEvent({
      v: 1,
      type: "done",
      videoId: row.id,
      jobId: row.jobId!,
      attempt: row.attempt,
      attemptId: row.attemptId!,
      seq: 0,
      at: new Date().toISOString(),
      probe,
      renditions: [rendition],
      masterKey: `${own}master.m3u8`,
      posterKey: `${own}poster.jpg`,
    });
    expect(done.status).toBe(200);
    const { body } = await getVideo(row.id);
    expect(body.status).toBe("ready");
    expect(body.publishedAt).not.toBeNull();
  });

  it("a private video becoming ready is not published", async () => {
    const row = await insertVideo({ ownerId: owner.id, visibility: "private", status: "processing" });
    await repo().transition(row.id, ["processing"], { status: "ready" });
    await repo().markPublished(row.id, Date.now());
    expect((await repo().find(row.id))!.publishedAt).toBeNull();
  });
});

describe("scheduled publish (the cron)", () => {
  it("the scheduled handler makes due private videos public, once", async () => {
    const due = await insertVideo({
      ownerId: owner.id,
      visibility: "private",
      status: "ready",
      playable: true,
      publishAt: Date.now() - 1000,
    });
    const notYet = await insertVideo({
      ownerId: owner.id,
      visibility: "private",
      status: "ready",
      publishAt: Date.now() + 3600_000,
    });
    const dueButProcessing = await insertVideo({
      ownerId: owner.id,
      visibility: "private",
      status: "processing",
      publishAt: Date.now() - 1000,
    });
    // Strangers cannot see it before the cron runs.
    expect((await getVideo(due.id, other)).status).toBe(404);

    // The whole handler, on a bucket of its own (its orphan sweep deletes what D1 does not know).
    const ctx = createExecutionContext();
    const controller = {
      scheduledTime: Date.now(),
      cron: "*/5 * * * *",
      noRetry() {},
    } as ScheduledController;
    await worker.scheduled(controller, { ...env, S3_BUCKET: "cron-test" }, ctx);
    await waitOnExecutionContext(ctx);

    const published = (await repo().find(due.id))!;
    expect(published).toMatchObject({ visibility: "public", publishAt: null });
    expect(published.publishedAt).toBeGreaterThan(0);
    expect((await getVideo(due.id, other)).status).toBe(200);
    expect((await getVideo(due.id)).body.visibility).toBe("public");

    const processing = (await repo().find(dueButProcessing.id))!;
    expect(processing).toMatchObject({ visibility: "public", publishAt: null, publishedAt: null });
    expect((await repo().find(notYet.id))!).toMatchObject({ visibility: "private" });

    // Idempotent: a second run finds nothing of these to do and changes nothing.
    const again = await publishScheduled(services(env));
    expect(again).not.toContain(due.id);
    expect((await repo().find(due.id))!.publishedAt).toBe(published.publishedAt);
  });
});
