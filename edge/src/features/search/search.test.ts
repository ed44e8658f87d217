/**
 * GET /api/search on a seeded catalogue in workerd's D1 (migration 0017's FTS5 tables and
 * triggers, applied like every migration): ranking, prefixes, folded accents, queries that
 * look like MATCH syntax, visibility, filters and cursors. Every test's words carry this
 * run's `W` so other files' rows never match.
 */
import { env } from "cloudflare:workers";
import type { SearchResponse } from "@streamline/contracts";
import { and, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { call, callJson } from "../../../test/http.ts";
import { database } from "../../db/client.ts";
import { videos } from "../../db/schema.ts";
import { cueText } from "../captions/caption-text.ts";
import { listableVideo } from "../videos/listable.ts";
import { matchExpression } from "./search-query.ts";

/** A word no other test writes: letters only, so it is one token. */
const W = `zq${Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => String.fromCharCode(97 + (b % 26))).join("")}`;
const DAY = 86_400_000;
const FILLER = [
  "harbor",
  "sunset",
  "recipe",
  "guitar",
  "lesson",
  "travel",
  "vlog",
  "review",
  "drone",
  "city",
];

type Err = { error: { code: string; message: string } };
const search = (query: string, auth: Record<string, string> = {}) =>
  callJson<SearchResponse & Err>(`/api/search?${query}`, { headers: auth });
const ids = (r: SearchResponse) => r.videos.map((v) => v.id);

let owner: TestUser;

async function video(patch: Parameters<typeof insertVideo>[0] = {}) {
  return insertVideo({
    ownerId: owner.id,
    status: "ready",
    playable: false,
    visibility: "public",
    durationSec: 60,
    publishedAt: Date.now() - DAY,
    ...patch,
  });
}

beforeAll(async () => {
  owner = await signUp();
  // A catalogue around the tests' rows, so bm25's document frequencies mean something.
  await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      video({
        title: `${FILLER[i % 10]} ${FILLER[(i * 3) % 10]} ${W}filler`,
        description: `${FILLER[(i * 7) % 10]} and more ${FILLER[(i + 1) % 10]}`,
        tagsJson: JSON.stringify([FILLER[(i * 3) % 10], FILLER[(i + 5) % 10], "video"]),
      }),
    ),
  );
});

describe("ranking", () => {
  it("a title match ranks above a description match, a tag match in between", async () => {
    const inDescription = await video({
      title: "Evening walk",
      description: `the ${W}rank lighthouse at dusk`,
    });
    const inTitle = await video({ title: `The ${W}rank lighthouse`, description: "a walk by the sea" });
    const inTags = await video({
      title: "Coast",
      description: "a walk",
      tagsJson: JSON.stringify([`${W}rank`]),
    });
    const { status, body } = await search(`q=${W}rank`);
    expect(status).toBe(200);
    expect(ids(body)).toEqual([inTitle.id, inTags.id, inDescription.id]);
    expect(body.videos[0]!.highlight.title).toEqual({
      text: `The ${W}rank lighthouse`,
      ranges: [[4, 4 + W.length + 4]],
    });
    const desc = body.videos[2]!.highlight.description!;
    expect(desc.text).toContain(`${W}rank lighthouse`);
    expect(desc.ranges).toHaveLength(1);
    expect(desc.text.slice(...desc.ranges[0]!)).toBe(`${W}rank`);
  });

  it("the last word matches as a prefix; earlier words must be whole", async () => {
    const v = await video({ title: `${W}prefixed harbour lights` });
    expect(ids((await search(`q=${W}prefixed%20harb`)).body)).toEqual([v.id]);
    expect(ids((await search(`q=${W}pref`)).body)).toEqual([v.id]);
    // A trailing space ends the word: no prefix.
    expect(ids((await search(`q=${encodeURIComponent(`${W}pref `)}`)).body)).toEqual([]);
    expect(ids((await search(`q=harb%20${W}prefixed`)).body)).toEqual([]);
  });

  it("accents fold both ways: café finds cafe and cafe finds Café", async () => {
    const plain = await video({ title: `${W}cafe au lait` });
    const accented = await video({ title: `Crème brûlée ${W}cafés` });
    expect(ids((await search(`q=${encodeURIComponent(`${W}café`)}`)).body)).toContain(plain.id);
    expect(ids((await search(`q=${encodeURIComponent(`creme brulee ${W}cafés`)}`)).body)).toEqual([
      accented.id,
    ]);
    const hit = (await search(`q=${encodeURIComponent(`crème ${W}cafés`)}`)).body.videos[0]!;
    expect(hit.highlight.title.ranges.map(([a, b]) => hit.highlight.title.text.slice(a, b))).toEqual([
      "Crème",
      `${W}cafés`,
    ]);
  });

  it("channel name and handle are searched; renaming the channel re-indexes its videos", async () => {
    const creator = await signUp();
    const v = await video({ ownerId: creator.id, title: "Untitled" });
    const rename = await callJson("/api/me/channel", {
      method: "PATCH",
      json: { displayName: `Studio ${W}chan` },
      headers: creator.auth,
    });
    expect(rename.status).toBe(200);
    const { body } = await search(`q=${W}chan`);
    expect(ids(body)).toEqual([v.id]);
    expect(body.channels.map((c) => c.handle)).toEqual([creator.handle]);
    expect(body.channels[0]!.highlight.displayName.ranges).toEqual([[7, 7 + W.length + 4]]);
    expect(body.channels[0]!.videoCount).toBe(1);
    expect((await search(`q=${creator.handle}`)).body.channels.map((c) => c.handle)).toEqual([
      creator.handle,
    ]);
  });
});

describe("the index follows the tables", () => {
  it("an edited title is found by its new words and not its old ones; a deleted video is gone", async () => {
    const v = await video({ title: `${W}before edit` });
    const patch = await call(`/api/videos/${v.id}`, {
      method: "PATCH",
      json: { title: `${W}after edit` },
      headers: owner.auth,
    });
    expect(patch.status).toBe(200);
    expect(ids((await search(`q=${W}after`)).body)).toEqual([v.id]);
    expect(ids((await search(`q=${W}before`)).body)).toEqual([]);
    expect((await call(`/api/videos/${v.id}`, { method: "DELETE", headers: owner.auth })).status).toBe(204);
    expect(ids((await search(`q=${W}after`)).body)).toEqual([]);
  });

  it("caption text is searched from upload; replacing or deleting the track updates it", async () => {
    const v = await video({ title: "A talk" });
    const put = (body: string) =>
      call(`/api/videos/${v.id}/captions/en?label=English`, {
        method: "PUT",
        body,
        headers: { ...owner.auth, "content-type": "text/vtt" },
      });
    const vtt = (words: string) =>
      `WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Ana>we talk about ${words}</v>\n`;
    expect((await put(vtt(`${W}capone &amp; more`))).status).toBe(201);
    const hit = (await search(`q=${W}capone`)).body.videos;
    expect(hit.map((h) => h.id)).toEqual([v.id]);
    expect(hit[0]!.highlight.captions?.text).toBe(`we talk about ${W}capone & more`);
    expect(hit[0]!.highlight.description).toBeNull();

    expect((await put(vtt(`${W}captwo`))).status).toBe(201);
    expect(ids((await search(`q=${W}capone`)).body)).toEqual([]);
    expect(ids((await search(`q=${W}captwo`)).body)).toEqual([v.id]);

    expect(
      (await call(`/api/videos/${v.id}/captions/en`, { method: "DELETE", headers: owner.auth })).status,
    ).toBe(204);
    expect(ids((await search(`q=${W}captwo`)).body)).toEqual([]);
  });
});

describe("queries are words, never MATCH syntax", () => {
  const hostile = [
    '"',
    "*",
    "NEAR(",
    "-",
    "a".repeat(2000),
    `${W}inj OR *`,
    `title:${W}inj`,
    `{title}: ${W}inj`,
    `${W}inj"`,
    `"${W}inj`,
    `(${W}inj`,
    `^${W}inj`,
    `${W}inj NOT x`,
    `${W}inj AND`,
    "'; drop table videos; --",
    "\u0002\u0003",
    "NEAR(a b, 2)",
    "  ",
    "😀",
    "é".normalize("NFD"),
    Array.from({ length: 500 }, (_, i) => `w${i}`).join(" "),
  ];

  it.each(hostile.map((q) => [q.length > 40 ? `${q.slice(0, 40)}… (${q.length} chars)` : q, q]))(
    "%j answers 200 or a 400 in the error shape, never 500",
    async (_label, q) => {
      const res = await search(`q=${encodeURIComponent(q)}`);
      expect([200, 400]).toContain(res.status);
      if (res.status === 400) expect(res.body.error.code).toBe("validation_failed");
      else expect(Array.isArray(res.body.videos)).toBe(true);
    },
  );

  it("operators are searched as words: the words around them still match", async () => {
    const v = await video({ title: `${W}inj title` });
    for (const q of [
      `${W}inj OR *`,
      `title:${W}inj`,
      `{title}: ${W}inj`,
      `"${W}inj`,
      `(${W}inj`,
      `${W}inj AND`,
    ]) {
      const res = await search(`q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(ids(res.body), q).toEqual(q.includes("AND") || q.includes("OR") ? [] : [v.id]);
    }
  });

  it("2,000 characters are searched (first 12 words); 2,001 are a 400", async () => {
    expect((await search(`q=${"b".repeat(2000)}`)).status).toBe(200);
    const long = await search(`q=${"b".repeat(2001)}`);
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe("validation_failed");
  });

  it("the MATCH expression quotes every word and never carries syntax", () => {
    expect(matchExpression('a" OR NEAR(b c) -d *')).toBe('"a" "OR" "NEAR" "b" "c" "d"');
    expect(matchExpression("harbour li")).toBe('"harbour" "li"*');
    expect(matchExpression("***")).toBeNull();
    expect(matchExpression("ana", ["name", "handle"])).toBe('{name handle} : ("ana"*)');
  });
});

describe("only what the caller may see", () => {
  it("private, unlisted, processing, taken down and suspended owners' videos are never found", async () => {
    const visible = await video({ title: `${W}vis public` });
    const hidden = await Promise.all([
      video({ title: `${W}vis private`, visibility: "private" }),
      video({ title: `${W}vis unlisted`, visibility: "unlisted" }),
      video({ title: `${W}vis processing`, status: "processing" }),
      video({ title: `${W}vis taken down`, takenDownAt: Date.now() }),
    ]);
    const suspended = await signUp();
    hidden.push(await video({ ownerId: suspended.id, title: `${W}vis suspended` }));
    await env.DB.prepare("update channels set display_name = ? where user_id = ?")
      .bind(`${W}vis suspended channel`, suspended.id)
      .run();
    await env.DB.prepare("update users set suspended_at = ? where id = ?")
      .bind(Date.now(), suspended.id)
      .run();
    // Not even their owner finds them: search lists what anyone may see.
    for (const auth of [{}, owner.auth]) {
      const { body } = await search(`q=${W}vis`, auth);
      expect(ids(body)).toEqual([visible.id]);
      expect(body.channels).toEqual([]);
    }
    expect((await search(`q=${W}vis&type=channel`)).body.channels).toEqual([]);
    expect(hidden).toHaveLength(5);
  });

  it("the index's listing columns follow every change to the video and its owner (migration 0022)", async () => {
    const other = await signUp();
    const v = await video({ ownerId: other.id, title: `${W}lst one`, visibility: "private" });
    const found = async () => ids((await search(`q=${W}lst`)).body);
    const set = (column: string, value: unknown) =>
      env.DB.prepare(`update videos set ${column} = ? where id = ?`).bind(value, v.id).run();
    const suspend = (at: number | null) =>
      env.DB.prepare("update users set suspended_at = ? where id = ?").bind(at, other.id).run();
    expect(await found()).toEqual([]);
    await set("visibility", "public");
    expect(await found()).toEqual([v.id]);
    await set("taken_down_at", Date.now());
    expect(await found()).toEqual([]);
    await set("taken_down_at", null);
    await suspend(Date.now());
    expect(await found()).toEqual([]);
    await suspend(null);
    await set("status", "failed");
    expect(await found()).toEqual([]);
    await set("status", "ready");
    expect(await found()).toEqual([v.id]);
    // Sort values and filters read the copies: views, date and duration follow their columns.
    await set("view_count", 7);
    await set("duration_sec", 30 * 60);
    await set("published_at", Date.now() - 2 * 365 * DAY);
    expect(ids((await search(`q=${W}lst&duration=long`)).body)).toEqual([v.id]);
    expect(ids((await search(`q=${W}lst&uploaded=year`)).body)).toEqual([]);
    const [hit] = (await search(`q=${W}lst&sort=views`)).body.videos;
    expect(hit?.viewCount).toBe(7);
    // Over every row of this database: the copies equal listableVideo() and their sources.
    const listable = database(env.DB)
      .select({ id: videos.id })
      .from(videos)
      .where(and(...listableVideo()));
    const drift = await database(env.DB).all<{ n: number }>(sql`select count(*) as n
      from search_video_rows r join ${videos} on ${videos.id} = r.video_id
      where r.listable <> (${videos.id} in ${listable})
        or r.published_at <> coalesce(${videos.publishedAt}, ${videos.createdAt})
        or r.view_count <> ${videos.viewCount} or r.duration_sec is not ${videos.durationSec}`);
    expect(drift[0]?.n).toBe(0);
  });
});

describe("filters and sorts", () => {
  let short: string;
  let medium: string;
  let long: string;
  beforeAll(async () => {
    const now = Date.now();
    short = (
      await video({ title: `${W}flt one`, durationSec: 90, publishedAt: now - 30 * 60_000, viewCount: 5 })
    ).id;
    medium = (
      await video({ title: `${W}flt two`, durationSec: 600, publishedAt: now - 3 * DAY, viewCount: 50 })
    ).id;
    long = (
      await video({ title: `${W}flt three`, durationSec: 3600, publishedAt: now - 200 * DAY, viewCount: 1 })
    ).id;
  });

  it("duration: short < 4 min, medium 4–20 min, long > 20 min", async () => {
    expect(ids((await search(`q=${W}flt&duration=short`)).body)).toEqual([short]);
    expect(ids((await search(`q=${W}flt&duration=medium`)).body)).toEqual([medium]);
    expect(ids((await search(`q=${W}flt&duration=long`)).body)).toEqual([long]);
  });

  it("upload date: within the last hour, week, year", async () => {
    expect(ids((await search(`q=${W}flt&uploaded=hour`)).body)).toEqual([short]);
    expect(ids((await search(`q=${W}flt&uploaded=week`)).body).sort()).toEqual([short, medium].sort());
    expect(ids((await search(`q=${W}flt&uploaded=year`)).body)).toHaveLength(3);
  });

  it("sort by date (newest first) and by views (most first)", async () => {
    expect(ids((await search(`q=${W}flt&sort=date`)).body)).toEqual([short, medium, long]);
    expect(ids((await search(`q=${W}flt&sort=views`)).body)).toEqual([medium, short, long]);
  });

  it("an unknown filter value is a 400", async () => {
    const res = await search(`q=${W}flt&duration=forever`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
  });
});

describe("cursor paging", () => {
  let all: string[];
  beforeAll(async () => {
    const made = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        video({
          title: `${W}page ${"again ".repeat(i % 4)}`,
          viewCount: i % 3,
          publishedAt: Date.now() - (i % 5) * DAY,
        }),
      ),
    );
    all = made.map((v) => v.id);
  });

  it.each(["relevance", "date", "views"])("sort=%s: pages of 10, 10, 5, every video once", async (sort) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const res: Awaited<ReturnType<typeof search>> = await search(
        `q=${W}page&sort=${sort}&limit=10${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(res.status).toBe(200);
      sizes.push(res.body.videos.length);
      seen.push(...ids(res.body));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([10, 10, 5]);
    expect(new Set(seen).size).toBe(25);
    expect([...seen].sort()).toEqual([...all].sort());
  });

  it("a forged cursor, or one from another sort, is a 400", async () => {
    const first = await search(`q=${W}page&sort=views&limit=10`);
    const other = await search(`q=${W}page&sort=date&limit=10&cursor=${first.body.nextCursor}`);
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe("invalid_cursor");
    const forged = await search(`q=${W}page&cursor=${btoa('{"s":"relevance","v":"x"}').replace(/=+$/, "")}`);
    expect(forged.status).toBe(400);
  });

  it("type=channel pages channels", async () => {
    const users = await Promise.all(Array.from({ length: 3 }, () => signUp()));
    await Promise.all(
      users.map((u, i) =>
        callJson("/api/me/channel", {
          method: "PATCH",
          json: { displayName: `${W}pch ${i}` },
          headers: u.auth,
        }),
      ),
    );
    const first = await search(`q=${W}pch&type=channel&limit=2`);
    expect(first.body.channels).toHaveLength(2);
    expect(first.body.videos).toEqual([]);
    const second = await search(`q=${W}pch&type=channel&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.channels).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect(new Set([...first.body.channels, ...second.body.channels].map((c) => c.handle))).toEqual(
      new Set(users.map((u) => u.handle)),
    );
  });
});

describe("cueText", () => {
  it("keeps cue words only: no header, timings, notes, tags or entities", () => {
    const vtt =
      "WEBVTT\n\nNOTE a comment\n\n1\n00:00:01.000 --> 00:00:02.000 align:start\n<v Ana>Hello <b>there</b></v>\n\n" +
      "00:00:02.000 --> 00:00:03.000\nfish &amp; chips &lt;3\nsecond line\n";
    expect(cueText(vtt)).toBe("Hello there fish & chips <3 second line");
  });

  it("is linear on a 1 MiB line of unclosed tags (a tag regex would be quadratic: minutes)", () => {
    const hostile = `WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n${"<b".repeat(512 * 1024)}\n`;
    const t0 = performance.now();
    expect(cueText(hostile)).toHaveLength(200_000);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
