import { describe, expect, it } from "vitest";
import { callJson, signUp } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { newVideoId } from "../../lib/ids.ts";

type Page = { videos: { id: string }[]; nextCursor: string | null };

/** Walks every page of `path` with `nextCursor` and returns the ids in order. */
async function walk(path: string, headers: Record<string, string>, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const query: URLSearchParams = new URLSearchParams({
      limit: String(limit),
      ...(cursor ? { cursor } : {}),
    });
    const res: { status: number; body: Page } = await callJson<Page>(`${path}?${query}`, { headers });
    expect(res.status).toBe(200);
    expect(res.body.videos.length).toBeLessThanOrEqual(limit);
    ids.push(...res.body.videos.map((v) => v.id));
    cursor = res.body.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error("paging never ended");
}

describe("listing pages", () => {
  it("pages are exact even when several videos share one millisecond", async () => {
    const alice = await signUp();
    // Five videos in the same millisecond, two older ones: 7 in all, pages of 2.
    const at = Date.now() - 10_000;
    const created = [at - 2, at - 1, at, at, at, at, at];
    const rows = [];
    for (const createdAt of created) {
      rows.push(await insertVideo({ id: newVideoId(), ownerId: alice.id, createdAt, status: "ready" }));
    }
    const expected = [...rows]
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
      .map((r) => r.id);

    expect(await walk("/api/me/videos", alice.auth, 2)).toEqual(expected);
    expect(await walk("/api/me/videos", alice.auth, 7)).toEqual(expected);
    // A full last page still says "maybe more"; the next one is empty and says "no more".
    const exact = await callJson<Page>("/api/me/videos?limit=7", { headers: alice.auth });
    const after = await callJson<Page>(`/api/me/videos?limit=7&cursor=${exact.body.nextCursor}`, {
      headers: alice.auth,
    });
    expect(after.body).toEqual({ videos: [], nextCursor: null });
  });

  it("the public listing pages the same way", async () => {
    const bob = await signUp();
    const at = Date.now() + 3_600_000; // newer than anything else in this suite's database
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const row = await insertVideo({
        id: newVideoId(),
        ownerId: bob.id,
        createdAt: at,
        status: "ready",
        visibility: "public",
        playable: true,
      });
      ids.push(row.id);
    }
    const first = await callJson<Page>("/api/videos?limit=2");
    const second = await callJson<Page>(`/api/videos?limit=1&cursor=${first.body.nextCursor}`);
    expect([...first.body.videos, ...second.body.videos].map((v) => v.id)).toEqual(ids.sort().reverse());
  });

  it("refuses a cursor it did not make", async () => {
    const alice = await signUp();
    for (const cursor of ["abc", "1.v_short", "-1.v_aaaaaaaaaaaaaaaa", "1.v_aaaaaaaaaaaaaaaa.x"]) {
      const res = await callJson<{ error: { code: string } }>(`/api/me/videos?cursor=${cursor}`, {
        headers: alice.auth,
      });
      expect(res.status, cursor).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
  });

  it("still understands the older millisecond `before`", async () => {
    const alice = await signUp();
    const old = await insertVideo({ id: newVideoId(), ownerId: alice.id, createdAt: 1_000 });
    await insertVideo({ id: newVideoId(), ownerId: alice.id, createdAt: 2_000 });
    const res = await callJson<Page>("/api/me/videos?before=2000", { headers: alice.auth });
    expect(res.body.videos.map((v) => v.id)).toEqual([old.id]);
  });
});
