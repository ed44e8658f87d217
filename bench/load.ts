/**
 * `npm run bench:load`: the platform under load, on the local stack (wrangler dev running a
 * bundle frozen at the start, the embedded S3, loopback only, bounded in time). Each
 * section measures its figure against a baseline taken in the same run, records the
 * 1-minute load beside it, and adds its row to bench/RESULTS.md:
 *
 *   media      edge media cache + segment delivery vs S3 direct (ADR 0030)
 *   upload     20 clients × 100 MiB through presigned multipart vs raw PUTs (UPLOAD_CLIENTS, UPLOAD_MIB)
 *   api        browse / watch / comments / search at a fixed rate for 5 min + RSS of every process (API_SECONDS, API_RPS)
 *   fanout     1,000 WebSocket watchers through wrangler's proxy and straight to workerd (WATCHERS, EVENTS)
 *   transcode  jobs/hour on one transcoder node vs two sharing Redis (TRANSCODE_MINUTES); no stack needed
 *
 * `SECTIONS=upload,api npm run bench:load` runs a subset; BENCH_DRY=1 prints rows instead of
 * writing them. Results: bench/results/load.json (a subset keeps the others' last figures).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../scripts/lib/stack.ts";
import { type BenchStack, startBenchStack } from "./lib/bench-stack.ts";
import { load1, toJson } from "./lib/results.ts";
import { apiMixSection } from "./load/api-mix.ts";
import { appendFanoutRows, fanoutSection } from "./load/fanout.ts";
import { mediaSection } from "./load/media.ts";
import { transcodeSection } from "./load/transcode.ts";
import { uploadSection } from "./load/upload.ts";

const SECTIONS: Record<string, (b: () => Promise<BenchStack>) => Promise<unknown>> = {
  media: async (b) => mediaSection(await b()),
  upload: async (b) => uploadSection(await b()),
  api: async (b) => apiMixSection(await b()),
  fanout: async (b) => {
    const r = await fanoutSection(await b());
    await appendFanoutRows(new Date().toISOString(), r);
    return r;
  },
  transcode: () => transcodeSection(),
};

const wanted = process.env.SECTIONS?.split(",").map((s) => s.trim()) ?? Object.keys(SECTIONS);
const unknown = wanted.filter((w) => !(w in SECTIONS));
if (unknown.length)
  throw new Error(`unknown section(s) ${unknown.join(", ")}; known: ${Object.keys(SECTIONS)}`);

let shared: Promise<BenchStack> | undefined;
const stack = () => {
  shared ??= startBenchStack({ countStorageReads: true });
  return shared;
};

try {
  const result: Record<string, unknown> = { date: new Date().toISOString(), load1Start: await load1() };
  for (const name of wanted) {
    console.log(`bench:load — ${name} (load ${await load1()})`);
    result[name] = await SECTIONS[name]!(stack);
  }
  result.load1End = await load1();
  console.log(toJson(result));
  const file = join(ROOT, "bench/results/load.json");
  // A subset run keeps the other sections' last figures (the file's pre-section keys are dropped).
  const previous = Object.fromEntries(
    Object.entries(
      existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {},
    ).filter(([k]) => k in SECTIONS),
  );
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  if (!process.env.BENCH_DRY) writeFileSync(file, `${toJson({ ...previous, ...result })}\n`);
} finally {
  if (shared) await (await shared).stop();
}
