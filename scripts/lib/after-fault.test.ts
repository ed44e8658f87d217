/**
 * The after-fault check must be able to fail: a real embedded S3, a D1 file laid out as
 * Miniflare keeps it, a WORK_DIR and a stand-in for wrangler's `/__scheduled`; each kind of
 * leftover is planted in turn and named in the error, then removed and the check passes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { AwsClient } from "aws4fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AfterFaultTarget, assertCleanAfterFault } from "./after-fault.ts";
import { type RunningS3, S3_CREDENTIALS, startS3Server } from "./s3-server.ts";

const KNOWN = "v_AAAAAAAAAAAAAAAA";
const GONE = "v_BBBBBBBBBBBBBBBB";

let dir: string;
let s3: RunningS3;
let edge: Server;
let sweeps = 0;
let db: DatabaseSync;
let target: AfterFaultTarget;
const client = new AwsClient({ ...S3_CREDENTIALS, region: "us-east-1", service: "s3", retries: 0 });

const put = (key: string) => client.fetch(`${s3.endpoint}/streamline/${key}`, { method: "PUT", body: "x" });
const del = (key: string) => client.fetch(`${s3.endpoint}/streamline/${key}`, { method: "DELETE" });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "streamline-after-fault-test-"));
  s3 = await startS3Server({ directory: join(dir, "s3"), port: 0 });
  edge = createServer((req, res) => {
    if (req.url === "/__scheduled") sweeps++;
    res.writeHead(req.url === "/__scheduled" ? 200 : 404).end("Ran scheduled event");
  });
  await new Promise<void>((r) => edge.listen(0, "127.0.0.1", r));
  const d1 = join(dir, "data", "wrangler", "v3", "d1", "miniflare-D1DatabaseObject");
  mkdirSync(d1, { recursive: true });
  new DatabaseSync(join(d1, "metadata.sqlite")).close();
  db = new DatabaseSync(join(d1, "0123abcd.sqlite"));
  db.exec("CREATE TABLE videos (id TEXT PRIMARY KEY, status TEXT NOT NULL)");
  db.prepare("INSERT INTO videos VALUES (?, 'ready')").run(KNOWN);
  mkdirSync(join(dir, "work", "streamline-node-123"), { recursive: true });
  target = {
    origin: `http://127.0.0.1:${(edge.address() as AddressInfo).port}`,
    s3Endpoint: s3.endpoint,
    dataDir: join(dir, "data"),
    workDirs: [join(dir, "work")],
    timeoutMs: 300,
  };
  await put(`videos/${KNOWN}/master.m3u8`);
  await put(`uploads/${KNOWN}/source`);
});

afterAll(async () => {
  db?.close();
  await s3?.close();
  await new Promise((r) => edge?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("assertCleanAfterFault", () => {
  it("passes on a clean stack, after one sweeper pass", async () => {
    const before = sweeps;
    expect(await assertCleanAfterFault(target)).toEqual({ videos: 1, objects: 2 });
    expect(sweeps).toBe(before + 1);
  });

  it("names objects whose video is gone", async () => {
    await put(`videos/${GONE}/360p/seg_001.m4s`);
    await expect(assertCleanAfterFault(target)).rejects.toThrow(`orphaned objects under videos/${GONE}/`);
    await del(`videos/${GONE}/360p/seg_001.m4s`);
    await put(`uploads/${GONE}/source`);
    await expect(assertCleanAfterFault(target)).rejects.toThrow(`orphaned objects under uploads/${GONE}/`);
    await del(`uploads/${GONE}/source`);
    await assertCleanAfterFault(target);
  });

  it("names a video left in a non-final state", async () => {
    db.prepare("UPDATE videos SET status = 'processing' WHERE id = ?").run(KNOWN);
    await expect(assertCleanAfterFault(target)).rejects.toThrow(`video ${KNOWN} still processing`);
    db.prepare("UPDATE videos SET status = 'failed' WHERE id = ?").run(KNOWN);
    await assertCleanAfterFault(target);
  });

  it("names temp files left in a WORK_DIR", async () => {
    const job = join(dir, "work", "streamline-node-123", "streamline-job-x");
    mkdirSync(job);
    writeFileSync(join(job, "seg_001.m4s"), "x");
    await expect(assertCleanAfterFault(target)).rejects.toThrow(
      /temp file left in WORK_DIR: .*streamline-job-x/,
    );
    rmSync(job, { recursive: true });
    await assertCleanAfterFault(target);
  });
});
