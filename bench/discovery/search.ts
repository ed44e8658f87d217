/**
 * Search on a seeded catalogue (issue 15, ADR 0021): VIDEOS (100,000) videos of CHANNELS
 * (1,000) channels with generated titles, descriptions and tags (topic phrases plus a
 * Zipf-distributed long tail of words; 95 % public and ready, 3 % private, 2 % processing),
 * seeded into a fresh local D1 (`wrangler d1 migrations apply`, then written into its SQLite
 * file: migration 0017's triggers index every row as it lands). Timed through wrangler's
 * local D1 binding with the statements the edge sends for a first page (search-sql.ts
 * rendered by drizzle's SQLite dialect): the ranked match, then the page's highlights and
 * rows. 1-, 2- and 3-word queries and prefixes.
 *
 * Baseline, same data and run: `LIKE '%word%'` over title, description and tags for every
 * word, listable videos only, newest first (LIKE cannot rank).
 */
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { matchExpression } from "../../edge/src/features/search/search-query.ts";
import { videoHighlightQuery, videoMatchQuery } from "../../edge/src/features/search/search-sql.ts";
import { appendResultsRow, load1, round } from "../lib/results.ts";
import {
  type D1Like,
  freshLocalD1,
  inserts,
  sqlText as q,
  type Timing,
  timed,
  userRows,
} from "./local-d1.ts";
import type { Section } from "./section.ts";

const VIDEOS = Number(process.env.SEARCH_VIDEOS ?? 100_000);
const CHANNELS = Number(process.env.SEARCH_CHANNELS ?? 1000);
const RUNS = Number(process.env.SEARCH_RUNS ?? 200);
const BASELINE_RUNS = Number(process.env.SEARCH_BASELINE_RUNS ?? 40);
const PAGE = 20;
const ROWS_PER_INSERT = 100;
const DAY = 86_400_000;

/** Deterministic catalogue and queries (mulberry32). */
export function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOPICS: string[][] = [
  ["sourdough", "bread", "baking", "starter", "crust", "flour"],
  ["espresso", "coffee", "barista", "latte", "grinder", "café"],
  ["guitar", "chords", "acoustic", "fingerstyle", "strumming", "tuning"],
  ["piano", "sonata", "chopin", "scales", "practice", "pedal"],
  ["drone", "aerial", "footage", "coastline", "sunset", "cinematic"],
  ["timelapse", "harbour", "bay", "clouds", "night", "city"],
  ["javascript", "typescript", "react", "tutorial", "components", "hooks"],
  ["python", "pandas", "dataframe", "analysis", "notebook", "plotting"],
  ["marathon", "running", "training", "pace", "shoes", "recovery"],
  ["yoga", "stretching", "morning", "flexibility", "breathing", "routine"],
  ["woodworking", "chisel", "dovetail", "workbench", "oak", "joinery"],
  ["bicycle", "repair", "derailleur", "gears", "brakes", "wheel"],
  ["camping", "tent", "hiking", "trail", "backpack", "mountains"],
  ["aquarium", "shrimp", "plants", "filter", "nano", "aquascape"],
  ["chess", "opening", "gambit", "endgame", "sicilian", "tactics"],
  ["watercolor", "painting", "brush", "landscape", "pigments", "paper"],
  ["electronics", "arduino", "soldering", "sensor", "circuit", "breadboard"],
  ["gardening", "tomatoes", "compost", "seedlings", "raised", "beds"],
  ["photography", "lens", "aperture", "portrait", "lighting", "camera"],
  ["skateboard", "kickflip", "ramp", "tricks", "park", "deck"],
  ["knitting", "yarn", "sweater", "pattern", "stitches", "wool"],
  ["astronomy", "telescope", "nebula", "saturn", "galaxy", "stars"],
  ["pasta", "carbonara", "italian", "recipe", "sauce", "parmesan"],
  ["synthesizer", "modular", "patch", "oscillator", "ambient", "music"],
];
const HOOKS = [
  "How to",
  "Beginner's guide to",
  "Why I love",
  "10 tips for",
  "The truth about",
  "Ultimate",
  "My first",
  "Fixing",
  "Reviewing",
  "Learning",
];
const FILLER = [
  "today",
  "we",
  "look",
  "at",
  "the",
  "best",
  "way",
  "to",
  "get",
  "started",
  "with",
  "and",
  "some",
  "common",
  "mistakes",
  "you",
  "should",
  "avoid",
  "in",
  "this",
  "video",
  "I",
  "show",
  "my",
  "setup",
  "for",
  "years",
  "of",
  "experience",
  "easy",
  "quick",
  "step",
  "by",
  "full",
  "walkthrough",
  "thanks",
  "watching",
  "subscribe",
  "more",
  "next",
  "week",
];
const SYLLABLES = [
  "ka",
  "lo",
  "mi",
  "ra",
  "ven",
  "tor",
  "ish",
  "qua",
  "bel",
  "dun",
  "sor",
  "pli",
  "nex",
  "gar",
  "wub",
  "zel",
  "fro",
  "tam",
  "lek",
  "yor",
];

/** A long tail of pseudo-words, picked with a Zipf-like bias (most are rare). */
export function longTail(size: number, rand: () => number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + Math.floor(rand() * 3);
    words.add(Array.from({ length: n }, () => SYLLABLES[Math.floor(rand() * SYLLABLES.length)]).join(""));
  }
  return [...words];
}
/** Log-uniform rank in [0, n): word k is about as likely as 1/k, Zipf's shape. */
const zipf = (rand: () => number, n: number) => Math.min(n - 1, Math.floor(n ** rand()) - 1);

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function videoText(rand: () => number, tail: string[]) {
  const topic = pick(rand, TOPICS);
  const second = rand() < 0.2 ? pick(rand, TOPICS) : topic;
  const title =
    `${pick(rand, HOOKS)} ${pick(rand, topic)} ${pick(rand, topic)} ${rand() < 0.5 ? pick(rand, second) : ""}`.trim();
  const sentences = Array.from({ length: 2 + Math.floor(rand() * 3) }, () => {
    const words = Array.from({ length: 8 + Math.floor(rand() * 8) }, () => {
      const r = rand();
      return r < 0.2 ? pick(rand, topic) : r < 0.3 ? tail[zipf(rand, tail.length)]! : pick(rand, FILLER);
    });
    return `${words.join(" ")}.`;
  });
  const tags = [...new Set(Array.from({ length: 3 + Math.floor(rand() * 4) }, () => pick(rand, topic)))];
  return { title, description: sentences.join(" "), tags };
}

export function videoRows(channelIds: string[], tail: string[], now: number): string[] {
  const rand = rng(15);
  const rows: string[][] = [];
  for (let i = 0; i < VIDEOS; i++) {
    const { title, description, tags } = videoText(rand, tail);
    const kind = i % 100;
    const visibility = kind < 3 ? "private" : "public";
    const status = kind === 3 || kind === 4 ? "processing" : "ready";
    const at = now - Math.floor(rand() * 730 * DAY);
    const views = Math.floor(10 ** (rand() * 6));
    const duration = Math.round(20 + rand() ** 2 * 3600);
    rows.push([
      q(`v_${String(i).padStart(16, "0")}`),
      q(channelIds[i % channelIds.length]!),
      q(title),
      q(description),
      q(JSON.stringify(tags)),
      q(visibility),
      q(status),
      String(duration),
      status === "ready" ? String(at) : "null",
      String(at),
      String(views),
      "'v.mp4','video/mp4',1,1,1,0",
    ]);
  }
  const cols =
    "id,owner_id,title,description,tags_json,visibility,status,duration_sec,published_at,created_at,view_count,filename,content_type,size,part_size,part_count,upload_expires_at";
  return inserts("videos", cols.split(","), rows, ROWS_PER_INSERT);
}

/** Query sets drawn from the catalogue's own vocabulary. */
export function querySets(tail: string[]) {
  const rand = rng(21);
  const n = 50;
  const topicWords = (k: number) => {
    const topic = pick(rand, TOPICS);
    return Array.from({ length: k }, () => pick(rand, topic)).join(" ");
  };
  return {
    oneWord: Array.from({ length: n }, (_, i) =>
      i % 5 === 0 ? tail[zipf(rand, tail.length)]! : topicWords(1),
    ),
    twoWords: Array.from({ length: n }, () => topicWords(2)),
    threeWords: Array.from({ length: n }, () => topicWords(3)),
    prefix: Array.from({ length: n }, () => {
      const word = pick(rand, pick(rand, TOPICS));
      return word.slice(0, 3 + Math.floor(rand() * 2));
    }),
  };
}

const dialect = new SQLiteSyncDialect();
type Row = { id: string; rid: number };

/** The edge's first page: the ranked match, then highlights and rows of its 20. Returns D1 ms. */
async function searchPage(db: D1Like, text: string): Promise<{ ms: number; hits: number }> {
  const match = matchExpression(text)!;
  const m = dialect.sqlToQuery(videoMatchQuery(match, { sort: "relevance", filters: {}, limit: PAGE + 1 }));
  const found = await db
    .prepare(m.sql)
    .bind(...m.params)
    .all<Row>();
  const page = found.results.slice(0, PAGE);
  if (page.length === 0) return { ms: found.meta.duration, hits: 0 };
  const h = dialect.sqlToQuery(
    videoHighlightQuery(
      match,
      page.map((r) => r.rid),
    ),
  );
  const marks = page.map((_, i) => `?${i + 1}`).join(",");
  const [highlights, rows] = await Promise.all([
    db
      .prepare(h.sql)
      .bind(...h.params)
      .all(),
    db
      .prepare(`select * from videos where id in (${marks})`)
      .bind(...page.map((r) => r.id))
      .all(),
  ]);
  return { ms: found.meta.duration + highlights.meta.duration + rows.meta.duration, hits: page.length };
}

/** Baseline: every word as `LIKE '%word%'` in title, description or tags; listable; newest first. */
async function likePage(db: D1Like, text: string): Promise<number> {
  const words = text.split(/\s+/).filter(Boolean);
  const clause = words.map(() => "(title like ? or description like ? or tags_json like ?)").join(" and ");
  const res = await db
    .prepare(`select id from videos where visibility = 'public' and status = 'ready' and taken_down_at is null
      and ${clause} order by coalesce(published_at, created_at) desc, id desc limit ${PAGE + 1}`)
    .bind(...words.flatMap((w) => [`%${w}%`, `%${w}%`, `%${w}%`]))
    .all();
  return res.meta.duration;
}

async function measure(db: D1Like, sets: ReturnType<typeof querySets>) {
  const out: Record<string, { fts: Timing; like: Timing; meanHits: number }> = {};
  for (const [name, queries] of Object.entries(sets)) {
    let hits = 0;
    const fts = await timed(RUNS, async (i) => {
      const r = await searchPage(db, queries[i % queries.length]!);
      hits += r.hits;
      return r.ms;
    });
    const like = await timed(BASELINE_RUNS, (i) => likePage(db, queries[i % queries.length]!));
    out[name] = { fts, like, meanHits: round(hits / (RUNS + 5), 1) };
    console.log(
      `  ${name}: fts p50/p99 ${fts.sqlP50Ms}/${fts.sqlP99Ms} ms, LIKE ${like.sqlP50Ms}/${like.sqlP99Ms} ms`,
    );
  }
  return out;
}

const row = (name: string, m: { fts: Timing; like: Timing }) =>
  `${name}: ${m.fts.sqlP50Ms} / ${m.fts.sqlP99Ms} (LIKE ${m.like.sqlP50Ms} / ${m.like.sqlP99Ms})`;

export const section: Section = {
  name: "search",
  async run() {
    const loadStart = await load1();
    const d1 = freshLocalD1("search");
    try {
      const now = Date.now();
      const tail = longTail(5000, rng(7));
      const channels = Array.from({ length: CHANNELS }, (_, i) => `u_${String(i).padStart(16, "0")}`);
      const seedStart = performance.now();
      await d1.execute("search-channels", userRows(channels, "searchbench"));
      await d1.execute("search-videos", videoRows(channels, tail, now));
      const seedSec = round((performance.now() - seedStart) / 1000, 1);
      const m = await measure(await d1.open(), querySets(tail));
      const loadEnd = await load1();
      await appendResultsRow(
        "## Search (`npm run bench:discovery`)",
        [
          "100,000 generated videos (titles, descriptions and tags from 24 topics plus a long tail of 5,000 rare words;",
          "95 % listable) of 1,000 channels in a fresh local D1, indexed by migration 0017's triggers as seeded. Timed",
          "through wrangler's local D1 binding with the edge's own statements (search-sql.ts): the bm25-ranked match",
          "(first page of 20) + that page's highlights and rows; D1 execution = D1's `meta.duration` of the three. Each",
          "cell: FTS p50 / p99 ms (baseline in the same run: `LIKE '%word%'` over title, description and tags per word,",
          "newest first, p50 / p99 ms). Target: p99 ≤ 50 ms.",
          "",
          "| date | 1 word | 2 words | 3 words | prefix (3–4 letters) | seed | load 1m |",
          "| --- | --- | --- | --- | --- | --- | --- |",
        ],
        `| ${new Date().toISOString().slice(0, 10)} | ${row("", m.oneWord!).slice(2)} | ${row("", m.twoWords!).slice(2)} | ${row("", m.threeWords!).slice(2)} | ${row("", m.prefix!).slice(2)} | ${seedSec} s | ${loadStart} → ${loadEnd} |`,
      );
      return { videos: VIDEOS, channels: CHANNELS, seedSec, ...m, target: "p99 ≤ 50 ms", loadStart, loadEnd };
    } finally {
      await d1.dispose();
    }
  },
};
