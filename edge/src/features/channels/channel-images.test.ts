import { env } from "cloudflare:workers";
import { channelImagePrefix } from "@streamline/contracts";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestUser } from "../../../test/auth.ts";
import { postEvent } from "../../../test/fixtures.ts";
import { call, callJson, waitFor } from "../../../test/http.ts";
import { MAX_IMAGE_UPLOAD_BYTES } from "../../lib/image-sniff.ts";
import { services } from "../../lib/services.ts";

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1]);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

type ImageJob = {
  type: string;
  userId: string;
  kind: string;
  jobId: string;
  attemptId: string;
  source: { key: string };
  outputPrefix: string;
};
type Mine = {
  channel: { avatarUrl: string | null; avatarSrcset: string | null; bannerUrl: string | null };
  avatar: { pending: boolean; failure: string | null };
  banner: { pending: boolean; failure: string | null };
};

async function fleetJobs(userId: string): Promise<ImageJob[]> {
  const res = await fetch(`${env.FLEET_URL}/__jobs?videoId=${userId}`);
  return ((await res.json()) as { jobs: ImageJob[] }).jobs;
}

const put = (user: TestUser | null, kind: string, body: BodyInit, type = "image/jpeg") =>
  callJson<{ status?: string; error?: { code: string; message: string } }>(`/api/me/channel/${kind}`, {
    method: "PUT",
    body,
    headers: { ...(user?.auth ?? {}), "content-type": type },
  });

/** Uploads, waits for the fleet to receive the job, and returns it. */
async function uploadAndGetJob(user: TestUser, kind: "avatar" | "banner"): Promise<ImageJob> {
  const before = (await fleetJobs(user.id)).length;
  expect((await put(user, kind, JPEG)).status).toBe(202);
  const jobs = await waitFor(async () => {
    const all = await fleetJobs(user.id);
    return all.length > before && all;
  });
  return jobs.at(-1)!;
}

const result = (job: ImageJob, extra: Record<string, unknown>) => ({
  v: 1,
  userId: job.userId,
  kind: job.kind,
  jobId: job.jobId,
  attemptId: job.attemptId,
  at: new Date().toISOString(),
  ...extra,
});

const mine = async (user: TestUser) => (await callJson<Mine>("/api/me/channel", { headers: user.auth })).body;

describe("channel avatar and banner uploads", () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signUp();
  });

  it("refuses what is not a JPEG, PNG or WebP by its bytes (415), whatever the header says", async () => {
    const svg = await put(user, "avatar", "<svg onload=alert(1)></svg>", "image/png");
    expect(svg.status).toBe(415);
    expect(svg.body.error).toMatchObject({ code: "unsupported_media_type" });
    // PNG bytes declared as JPEG: the bytes and the header disagree.
    expect((await put(user, "banner", PNG, "image/jpeg")).status).toBe(415);
  });

  it("refuses a body over 10 MiB with 413, before reading it all", async () => {
    const big = new Uint8Array(MAX_IMAGE_UPLOAD_BYTES + 1);
    big.set(JPEG);
    const res = await put(user, "avatar", big);
    expect(res.status).toBe(413);
    expect(res.body.error?.code).toBe("payload_too_large");
  });

  it("needs a signed-in caller, and only knows avatar and banner", async () => {
    expect((await put(null, "avatar", JPEG)).status).toBe(401);
    expect((await put(user, "poster", JPEG)).status).toBe(404);
  });

  it("queues a channel-image job for the fleet and shows it pending", async () => {
    const job = await uploadAndGetJob(user, "avatar");
    expect(job).toMatchObject({
      type: "channel-image",
      userId: user.id,
      kind: "avatar",
      source: { key: `uploads/channels/${user.id}/avatar-source` },
      outputPrefix: channelImagePrefix(user.id, "avatar", job.attemptId),
    });
    const stored = await services(env).store.get(job.source.key);
    expect(new Uint8Array(await new Response(stored!.body).arrayBuffer())).toEqual(JPEG);
    expect((await mine(user)).avatar).toEqual({ pending: true, failure: null });
  });

  it("the fleet's result becomes signed, immutable image URLs on the channel and its videos", async () => {
    const job = await uploadAndGetJob(user, "avatar");
    const store = services(env).store;
    for (const size of [48, 88, 176]) await store.put(`${job.outputPrefix}${size}.jpg`, JPEG);
    const res = await postEvent(result(job, { type: "channel-image", keyPrefix: job.outputPrefix }));
    expect(res.status).toBe(200);

    const state = await mine(user);
    expect(state.avatar).toEqual({ pending: false, failure: null });
    const url = state.channel.avatarUrl!;
    expect(url).toMatch(new RegExp(`^/i/[A-Za-z0-9_-]{22}/${job.outputPrefix}176\\.jpg$`));
    expect(state.channel.avatarSrcset).toContain(`${job.outputPrefix}48.jpg 48w`);
    const image = await call(url);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/jpeg");
    expect(image.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(JPEG);

    // A tampered signature, or a key the edge never published (the source), is not served.
    const sig = url.split("/")[2]!;
    const flipped = `${sig.slice(0, -1)}${sig.endsWith("A") ? "B" : "A"}`;
    expect((await call(url.replace(sig, flipped))).status).toBe(404);
    expect((await call(`/i/${sig}/uploads/channels/${user.id}/avatar-source`)).status).toBe(404);
  });

  it("a newer upload wins: an older result is stale (409) and deleted, a re-sent one a duplicate, the replaced set deleted", async () => {
    const first = await uploadAndGetJob(user, "banner");
    const second = await uploadAndGetJob(user, "banner");
    const store = services(env).store;
    // The superseded upload finished anyway: its set is refused and deleted, nobody shows it.
    await store.put(`${first.outputPrefix}1280x212.jpg`, JPEG);
    const stale = await postEvent(result(first, { type: "channel-image", keyPrefix: first.outputPrefix }));
    expect(stale.status).toBe(409);
    await waitFor(async () => (await store.list(first.outputPrefix)).keys.length === 0);

    await store.put(`${second.outputPrefix}1280x212.jpg`, JPEG);
    const applied = result(second, { type: "channel-image", keyPrefix: second.outputPrefix });
    expect((await postEvent(applied)).status).toBe(200);
    // The fleet re-sending it (a lost answer) is a harmless duplicate: the set stays.
    expect(await (await postEvent(applied)).json()).toEqual({ outcome: "duplicate" });
    expect((await store.list(second.outputPrefix)).keys).toHaveLength(1);
    expect((await mine(user)).channel.bannerUrl).toContain(second.outputPrefix);

    const third = await uploadAndGetJob(user, "banner");
    await store.put(`${third.outputPrefix}1280x212.jpg`, JPEG);
    expect(
      (await postEvent(result(third, { type: "channel-image", keyPrefix: third.outputPrefix }))).status,
    ).toBe(200);
    await waitFor(async () => (await store.list(second.outputPrefix)).keys.length === 0);
    expect((await store.list(third.outputPrefix)).keys).toHaveLength(1);
  });

  it("a failed render leaves the current image and says why", async () => {
    const before = (await mine(user)).channel.avatarUrl;
    const job = await uploadAndGetJob(user, "avatar");
    const res = await postEvent(
      result(job, {
        type: "channel-image-failed",
        reason: "not a usable avatar: the image could not be decoded",
      }),
    );
    expect(res.status).toBe(200);
    const state = await mine(user);
    expect(state.avatar).toEqual({
      pending: false,
      failure: "not a usable avatar: the image could not be decoded",
    });
    expect(state.channel.avatarUrl).toBe(before);
  });

  it("refuses a result naming a prefix other than the job's own", async () => {
    const job = await uploadAndGetJob(user, "avatar");
    const other = await signUp();
    const res = await postEvent(
      result(job, {
        type: "channel-image",
        keyPrefix: channelImagePrefix(other.id, "avatar", job.attemptId),
      }),
    );
    expect(res.status).toBe(400);
    expect((await mine(user)).avatar.pending).toBe(true);
  });

  it("an unsigned result is refused before it is read", async () => {
    const attemptId = "a_unsignedunsignedunsi";
    const job = { userId: user.id, kind: "avatar", jobId: "c_x", attemptId } as ImageJob;
    const keyPrefix = channelImagePrefix(user.id, "avatar", attemptId);
    const res = await postEvent(result(job, { type: "channel-image", keyPrefix }), { signature: null });
    expect(res.status).toBe(401);
  });

  it("is rate limited per user (429 with Retry-After)", async () => {
    const busy = await signUp();
    const answers: number[] = [];
    for (let i = 0; i < 11; i++) answers.push((await put(busy, i % 2 ? "banner" : "avatar", JPEG)).status);
    expect(answers.slice(0, 10).every((s) => s === 202)).toBe(true);
    const refused = await put(busy, "avatar", JPEG);
    expect(refused.status).toBe(429);
    expect(refused.res.headers.get("retry-after")).toBe("60");
  });
});
