/**
 * The local stack as the load benches drive it (bench/load.ts, bench/fanout.ts): wrangler dev
 * + site + the embedded S3, with the bench playing the transcoder fleet (it accepts the
 * signed job and signs its own events), optionally with the counting fault proxy in front
 * of the edge's storage reads. Also: an account, a queued video, a signed fleet event, and
 * the address of the edge Worker's own workerd listener behind wrangler's dev proxy.
 */
import { rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SIGNATURE_HEADER, signRequest, type TranscodeJobV1 } from "@streamline/contracts";
import { AwsClient } from "aws4fetch";
import { api, E2E_SECRETS, freePort, startE2EStack } from "../../e2e/support.ts";
import { type FaultProxy, startFaultProxy } from "../../scripts/lib/fault-proxy.ts";
import { S3_CREDENTIALS } from "../../scripts/lib/s3-server.ts";
import type { StackOptions } from "../../scripts/lib/stack.ts";
import { frozenEdgeConfig } from "./frozen-edge.ts";
import { listeningPorts, processTree } from "./processes.ts";

/** The fleet the bench plays: accepts jobs and remembers them. */
export async function startBenchFleet() {
  const jobs = new Map<string, TranscodeJobV1>();
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const c of req) body += c;
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true,"running":0,"capacity":1}');
      return;
    }
    const job = JSON.parse(body) as TranscodeJobV1;
    jobs.set(job.videoId, job);
    res.writeHead(202, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    jobs,
    async waitForJob(videoId: string, timeoutMs = 30_000): Promise<TranscodeJobV1> {
      const deadline = Date.now() + timeoutMs;
      while (!jobs.has(videoId)) {
        if (Date.now() > deadline) throw new Error("the job never reached the bench fleet");
        await sleep(50);
      }
      return jobs.get(videoId)!;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
export type BenchFleet = Awaited<ReturnType<typeof startBenchFleet>>;

export const benchS3 = new AwsClient({ ...S3_CREDENTIALS, region: "us-east-1", service: "s3" });

/**
 * Stack + bench fleet. `countStorageReads`: the edge reads storage through the counting
 * fault proxy (no faults set); presigned uploads still go straight to S3.
 */
export async function startBenchStack(
  opts: { countStorageReads?: boolean; extra?: Partial<StackOptions> } = {},
) {
  const fleet = await startBenchFleet();
  const s3Port = await freePort();
  let proxy: FaultProxy | undefined;
  if (opts.countStorageReads) proxy = await startFaultProxy({ target: `http://127.0.0.1:${s3Port}` });
  // A bundle made now: edits to edge/ during the run (a shared tree) must not reload it.
  const edgeConfig = process.env.BENCH_LIVE_EDGE ? undefined : frozenEdgeConfig();
  const stack = await startE2EStack({
    edgeConfig,
    mailSink: {},
    s3Port,
    externalTranscoderUrl: fleet.url,
    transcoderPort: await freePort(),
    ...(proxy ? { edgeOverrides: { S3_ENDPOINT: proxy.url } } : {}),
    ...opts.extra,
  });
  return {
    stack,
    fleet,
    proxy,
    origin: stack.origin,
    objectUrl: (key: string) => `${stack.s3Endpoint}/streamline/${key}`,
    async stop() {
      await stack.stop();
      await proxy?.close();
      await fleet.close();
      if (edgeConfig) rmSync(dirname(edgeConfig), { recursive: true, force: true });
    },
  };
}
export type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;

/** A distinct client address per simulated client: limits are per user or per address. */
export const clientIp = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
let accounts = 0;

/** A fresh account's access token, signed up from an address of its own (signups are limited per address). */
export async function benchAccount(origin: string, prefix = "bench"): Promise<string> {
  return (await signUp(origin, prefix)).token;
}

async function signUp(origin: string, prefix: string) {
  const n = accounts++;
  const stamp = `${Date.now()}${n}`;
  const email = `${prefix}-${stamp}@example.com`;
  const res = await api<{ accessToken: string }>(origin, "/api/auth/signup", {
    headers: { "cf-connecting-ip": clientIp(60_000 + n) },
    method: "POST",
    json: { email, password: "bench-password-123!", handle: `${prefix}${stamp}` },
  });
  if (res.status !== 201) throw new Error(`signup: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.accessToken, email };
}

/** An account whose address is verified through the mailed link (commenting needs one). */
export async function verifiedAccount(b: BenchStack, prefix = "bench"): Promise<string> {
  const { token, email } = await signUp(b.origin, prefix);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${b.stack.mailSinkUrl}/mails?to=${encodeURIComponent(email)}`);
    const { mails } = (await res.json()) as { mails: { text: string }[] };
    const link = mails.map((m) => /verify-email\?token=([A-Za-z0-9_-]{43})/.exec(m.text)).find(Boolean);
    if (link) {
      const verified = await api(b.origin, "/api/auth/email/verify", {
        method: "POST",
        json: { token: link[1] },
      });
      if (verified.status !== 200)
        throw new Error(`verify: ${verified.status} ${JSON.stringify(verified.body)}`);
      return token;
    }
    if (Date.now() > deadline) throw new Error(`no verification mail to ${email}`);
    await sleep(200);
  }
}

/** A 1 KiB upload, completed: the edge dispatches its job to the bench fleet. */
export async function queuedVideo(
  b: Pick<BenchStack, "origin" | "fleet">,
  token: string,
  metadata: { title?: string; visibility?: "public" | "unlisted" | "private" } = {},
) {
  const created = await api<{ videoId: string; parts: { url: string }[] }>(b.origin, "/api/uploads", {
    method: "POST",
    json: { filename: "bench.mp4", size: 1024, contentType: "video/mp4", ...metadata },
    token,
  });
  if (created.status !== 201) throw new Error(`upload: ${created.status} ${JSON.stringify(created.body)}`);
  const { videoId, parts } = created.body;
  const put = await fetch(parts[0]!.url, { method: "PUT", body: new Uint8Array(1024) });
  await api(b.origin, `/api/uploads/${videoId}/parts/1`, {
    method: "PUT",
    json: { etag: put.headers.get("etag"), size: 1024 },
    token,
  });
  await api(b.origin, `/api/uploads/${videoId}/complete`, { method: "POST", token });
  return { videoId, job: await b.fleet.waitForJob(videoId) };
}

/** POSTs one fleet event, signed as the transcoder signs it; throws unless 200. */
export async function postFleetEvent(origin: string, event: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify(event);
  const path = "/internal/transcoder/events";
  const signature = await signRequest(E2E_SECRETS.TRANSCODER_SECRET, "fleet-to-edge", {
    method: "POST",
    path,
    body,
  });
  const res = await fetch(`${origin}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature },
    body,
  });
  if (res.status !== 200) throw new Error(`${event.type} event: ${res.status} ${await res.text()}`);
}

/**
 * wrangler dev puts a proxy Worker (a second workerd process) in front of the edge's own
 * workerd and relays every request and WebSocket frame through it. This finds the edge's
 * own listener: a loopback port of one of our workerd processes, other than the public
 * one, that answers the edge's `/api/health`. Production has no such proxy.
 */
export async function directEdgeOrigin(publicOrigin: string): Promise<string> {
  const publicPort = Number(new URL(publicOrigin).port);
  const workerds = (await processTree(process.pid)).filter((p) => p.name.startsWith("workerd"));
  for (const p of workerds) {
    for (const port of await listeningPorts(p.pid)) {
      if (port === publicPort) continue;
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2000) });
        const text = await res.text();
        if (text.includes('"components"')) return `http://127.0.0.1:${port}`;
      } catch {
        // the inspector or another internal listener
      }
    }
  }
  throw new Error(`no direct edge listener among workerd processes ${workerds.map((w) => w.pid)}`);
}

/** The one rung the bench's videos have (files written by the bench, no encode). */
export const BENCH_RENDITION = {
  name: "720p",
  kind: "video",
  width: 1280,
  height: 720,
  bandwidth: 1_000_000,
  averageBandwidth: 900_000,
  codecs: "avc1.64001f",
  frameRate: 30,
  playlist: "720p/index.m3u8",
} as const;

/** Media playlist over `segments` given names, with its master. */
export function benchPlaylists(segments: readonly string[]): [string, string][] {
  const playlist = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:4", '#EXT-X-MAP:URI="init.mp4"'];
  for (const s of segments) playlist.push("#EXTINF:4.0,", s);
  playlist.push("#EXT-X-ENDLIST", "");
  return [
    ["master.m3u8", '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000000,CODECS="avc1.64001f"\n720p/index.m3u8\n'],
    ["720p/index.m3u8", playlist.join("\n")],
  ];
}

/** Writes `files` (path under `videos/{id}/` → body) straight to storage. */
export async function writeVideoFiles(
  b: Pick<BenchStack, "objectUrl">,
  videoId: string,
  files: [string, Uint8Array | string][],
) {
  for (const [path, body] of files) {
    const res = await benchS3.fetch(b.objectUrl(`videos/${videoId}/${path}`), {
      method: "PUT",
      body: body as BodyInit,
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`put ${path}: ${res.status}`);
  }
}

/**
 * What the fleet reports once the files are in storage: the rung (playable), and with
 * `done` the job's end (ready, so listed and searchable when public).
 */
export async function publishBenchVideo(origin: string, job: TranscodeJobV1, { done = false } = {}) {
  const base = {
    v: 1,
    videoId: job.videoId,
    jobId: job.jobId,
    attempt: job.attempt,
    attemptId: job.attemptId,
  };
  const masterKey = `videos/${job.videoId}/master.m3u8`;
  const at = () => new Date().toISOString();
  await postFleetEvent(origin, {
    ...base,
    type: "rendition",
    seq: 1,
    at: at(),
    masterKey,
    rendition: BENCH_RENDITION,
  });
  if (!done) return;
  await postFleetEvent(origin, {
    ...base,
    type: "done",
    seq: 2,
    at: at(),
    masterKey,
    posterKey: null,
    renditions: [BENCH_RENDITION],
    probe: {
      durationSec: 8,
      width: 1280,
      height: 720,
      displayWidth: 1280,
      displayHeight: 720,
      rotation: 0,
      fps: 30,
      videoCodec: "h264",
      audioCodec: null,
      hasAudio: false,
      audioTracks: 0,
    },
  });
}
