/**
 * The check every fault test ends with (issue 17, docs/reliability.md): after the fault and
 * the recovery, run the sweeper once and then insist that
 *  - no object under `uploads/` or `videos/` belongs to a video whose row is gone (deleted,
 *    upload aborted) — the sweeper's own orphan pass must have left none;
 *  - no temp files are left in the transcoders' WORK_DIRs (only each live node's empty
 *    `streamline-node-<pid>/` scratch dir may stay);
 *  - no video is still `uploading`, `queued` or `processing`.
 * Framework-free (throws an Error listing every problem) so e2e tests and `npm run chaos`
 * share it. D1 is read straight from the stack's local SQLite file, read-only.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { setTimeout as sleep } from "node:timers/promises";
import { AwsClient } from "aws4fetch";
import { leftoverTempFiles } from "../../transcoder/src/fleet/work-dir.ts";
import { S3_CREDENTIALS } from "./s3-server.ts";

/** Re-exported: e2e tests check a WORK_DIR with it too. */
export { leftoverTempFiles };

export interface AfterFaultTarget {
  /** The edge origin (wrangler dev with `--test-scheduled`): the sweeper runs via `/__scheduled`. */
  origin: string;
  s3Endpoint: string;
  /** The stack's data dir (`startE2EStack().dataDir`): D1 lives under `wrangler/`. */
  dataDir: string;
  /** Every transcoder WORK_DIR the test used. */
  workDirs?: string[];
  /** How long the state may take to settle after the sweeper's pass (default 20 s). */
  timeoutMs?: number;
}

export interface AfterFaultReport {
  videos: number;
  objects: number;
}

const NON_FINAL = ["uploading", "queued", "processing"];
const BUCKET = "streamline";
const s3 = new AwsClient({ ...S3_CREDENTIALS, region: "us-east-1", service: "s3", retries: 0 });

/** Runs the sweeper once, then waits (bounded) until nothing is orphaned, left over or stuck. */
export async function assertCleanAfterFault(target: AfterFaultTarget): Promise<AfterFaultReport> {
  await runSweeper(target.origin);
  const deadline = Date.now() + (target.timeoutMs ?? 20_000);
  for (;;) {
    const { problems, report } = await inspect(target);
    if (problems.length === 0) return report;
    if (Date.now() > deadline) throw new Error(`after-fault check failed:\n  ${problems.join("\n  ")}`);
    await sleep(250);
  }
}

/** One sweeper pass (the cron handler; `/__scheduled` answers once it was invoked). */
export async function runSweeper(origin: string): Promise<void> {
  const res = await fetch(`${origin}/__scheduled`, { signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`/__scheduled answered ${res.status}: ${text.slice(0, 2000)}`);
}

async function inspect(target: AfterFaultTarget) {
  const rows = readVideos(target.dataDir);
  const known = new Set(rows.map((r) => r.id));
  const problems: string[] = [];
  for (const r of rows) {
    if (NON_FINAL.includes(r.status)) problems.push(`video ${r.id} still ${r.status}`);
  }
  let objects = 0;
  for (const area of ["uploads/", "videos/"]) {
    const keys = await listKeys(target.s3Endpoint, area);
    objects += keys.length;
    const orphans = new Set(
      keys.map((k) => k.slice(area.length).split("/")[0]!).filter((id) => !known.has(id)),
    );
    for (const id of orphans) problems.push(`orphaned objects under ${area}${id}/ (no such video)`);
  }
  for (const dir of target.workDirs ?? []) {
    for (const left of leftoverTempFiles(dir))
      problems.push(`temp file left in WORK_DIR: ${join(dir, left)}`);
  }
  return { problems, report: { videos: rows.length, objects } };
}

/** Every video's id and status, from the stack's local D1 (Miniflare's SQLite file). */
export function readVideos(dataDir: string): { id: string; status: string }[] {
  const dir = join(dataDir, "wrangler", "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 database under ${dir}`);
  const db = new DatabaseSync(join(dir, file), { readOnly: true });
  try {
    return db.prepare("SELECT id, status FROM videos").all() as { id: string; status: string }[];
  } finally {
    db.close();
  }
}

/** Every key under `prefix` (ListObjectsV2, paginated). */
export async function listKeys(endpoint: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const url = new URL(`${endpoint}/${BUCKET}`);
    url.searchParams.set("list-type", "2");
    url.searchParams.set("prefix", prefix);
    if (token) url.searchParams.set("continuation-token", token);
    const res = await s3.fetch(url.toString());
    const xml = await res.text();
    if (res.status !== 200) throw new Error(`S3 list ${prefix}: ${res.status} ${xml}`);
    for (const m of xml.matchAll(/<Key>([^<]+)<\/Key>/g)) keys.push(m[1]!);
    token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
      ? /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(xml)?.[1]
      : undefined;
  } while (token);
  return keys;
}
