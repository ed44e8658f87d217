/**
 * Crash recovery through the real stack (wrangler dev + embedded S3 + a real transcoder
 * process): the transcoder is SIGKILLed mid-encode (its whole process group, ffmpeg
 * included), a fresh one is started on the same port, and the video still reaches
 * `ready` — via the VideoRoom's lease alarm (attempt 2) and the queue — with exactly one
 * set of renditions in storage and no temp files left behind. Run in memory (the restarted
 * node knows nothing) and with Redis (the dead node's claim must time out first).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SIGNATURE_HEADER, signRequest } from "@streamline/contracts";
import { AwsClient } from "aws4fetch";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runAdmin } from "../scripts/admin.ts";
import { S3_CREDENTIALS } from "../scripts/lib/s3-server.ts";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import { redisServerAvailable, startTestRedis, type TestRedis } from "../transcoder/src/testing/redis.ts";
import {
  api,
  assertCleanAfterFault,
  E2E_PASSWORD,
  E2E_SECRETS,
  listKeys,
  startE2EStack,
  toolsAvailable,
  uploadFile,
  waitForVideo,
} from "./support.ts";

const ready = toolsAvailable("e2e fleet", { ffmpeg: true });
const hasRedis = ready && redisServerAvailable();

type Video = {
  status: string;
  playable: boolean;
  failureReason?: string;
  renditions: { name: string; kind?: string; playlist?: string }[];
  progress?: { stage: string; percent: number };
};
type FleetNode = {
  nodeId: string;
  running: { jobId: string; videoId: string; attempt: number; stage?: string }[];
};

const s3 = new AwsClient({ ...S3_CREDENTIALS, region: "us-east-1", service: "s3", retries: 0 });

async function s3Text(endpoint: string, key: string): Promise<string> {
  const res = await s3.fetch(`${endpoint}/streamline/${key}`);
  expect(res.status, key).toBe(200);
  return res.text();
}

/** The transcoder's own registry view (signed GET over the empty body). */
async function fleetNodes(transcoderUrl: string): Promise<FleetNode[]> {
  try {
    const res = await fetch(`${transcoderUrl}/fleet`, {
      headers: {
        [SIGNATURE_HEADER]: await signRequest(E2E_SECRETS.TRANSCODER_SECRET, "edge-to-fleet", {
          method: "GET",
          path: "/fleet",
          body: "",
        }),
      },
      signal: AbortSignal.timeout(2000),
    });
    return res.ok ? ((await res.json()) as { nodes: FleetNode[] }).nodes : [];
  } catch {
    return []; // between kill and restart
  }
}

const variants = [
  { name: "in memory", redis: false },
  { name: "with Redis", redis: true },
] as const;

describe.each(variants)("SIGKILL mid-transcode, restart, still ready once ($name)", ({ redis: useRedis }) => {
  const skip = !ready || (useRedis && !hasRedis);
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let redis: TestRedis | undefined;
  let workDir: string;
  const adminEmail = `fleet-admin-${randomBytes(4).toString("hex")}@example.com`;

  beforeAll(async () => {
    if (skip) return;
    redis = useRedis ? await startTestRedis() : undefined;
    workDir = mkdtempSync(join(tmpdir(), "streamline-e2e-fleet-work-"));
    stack = await startE2EStack({
      edgeVars: { JOB_LEASE_SECONDS: "10" },
      transcoderEnv: {
        HEARTBEAT_MS: "1000",
        MAX_JOBS: "1",
        WORK_DIR: workDir,
        SHUTDOWN_GRACE_MS: "2000",
        ...(redis ? { REDIS_URL: redis.url } : {}),
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it.skipIf(skip)(
    "the video reaches `ready` on the new node, with exactly one set of renditions",
    async () => {
      const { "landscape-720p-10s.mp4": source } = await ensureFixtures(["landscape-720p-10s.mp4"]);
      const handle = `fleet_${randomBytes(4).toString("hex")}`;
      const signup = await api<{ accessToken: string }>(stack.origin, "/api/auth/signup", {
        method: "POST",
        json: { email: adminEmail, handle, password: E2E_PASSWORD },
      });
      expect(signup.status).toBe(201);
      // The operator command, against the running stack's local D1 (as with `npm run dev`). The
      // address is this test's own and never verified, so the operator says they know who holds it.
      const persist = ["--persist-to", join(stack.dataDir, "wrangler")];
      expect(runAdmin(["grant", adminEmail, "admin", "--allow-unverified", ...persist])).toBe(0);
      // runAdmin blocks this process (spawnSync) for seconds, long enough for wrangler to close the
      // idle keep-alive socket of the signup unnoticed. Let the loop see that close first, or the
      // next request is written to the dead socket ("other side closed").
      await sleep(200);
      const token = signup.body.accessToken;
      const fail = (err: unknown) => {
        throw new Error(`${err}\n${stack.output()}`);
      };

      const { videoId } = await uploadFile(stack.origin, source, { title: "Fleet crash E2E", token });

      // 1. Mid-encode on the first node (attempt 1).
      const midway = await waitForVideo<Video>(
        stack.origin,
        videoId,
        (v) =>
          v.status === "failed" ||
          v.status === "ready" ||
          (v.progress?.stage === "encode" && v.progress.percent >= 15),
        120_000,
        token,
      ).catch(fail);
      expect(midway.status, midway.failureReason).toBe("processing");
      const before = (await fleetNodes(stack.transcoderUrl)).flatMap((n) => n.running);
      const firstRun = before.find((r) => r.videoId === videoId);
      expect(firstRun, JSON.stringify(before)).toMatchObject({ attempt: 1 });
      const firstNode = (await fleetNodes(stack.transcoderUrl))[0]!.nodeId;

      // 2. Crash: the whole process group, ffmpeg included. Then a fresh node on the same port.
      await stack.stopTranscoder("SIGKILL");
      stack.startTranscoder();

      // 3. The lease alarm re-enqueues; the queue delivers attempt 2 to the new node.
      const secondRun = await vi.waitFor(
        async () => {
          const nodes = await fleetNodes(stack.transcoderUrl);
          // With Redis the dead node's entry (still showing attempt 1) lingers for one TTL.
          const run = nodes.flatMap((n) => n.running).find((r) => r.videoId === videoId && r.attempt > 1);
          if (run) return { run, nodes };
          const { body } = await api<Video>(stack.origin, `/api/videos/${videoId}`, { token });
          if (body.status === "ready" || body.status === "failed")
            return { run: undefined, nodes, video: body };
          throw new Error(`attempt 2 never started\n${stack.output()}`);
        },
        { timeout: 90_000, interval: 250 },
      );
      expect(secondRun.run, JSON.stringify(secondRun)).toMatchObject({ jobId: firstRun!.jobId, attempt: 2 });
      // A different process runs it, and the killed node has left the registry (TTL ran out).
      expect(secondRun.nodes.map((n) => n.nodeId)).not.toContain(firstNode);
      expect(secondRun.nodes).toHaveLength(1);

      // The admin view on the edge reads the same registry.
      const admin = await api<{ fleet: { backend: string; nodes: FleetNode[] } }>(
        stack.origin,
        "/api/admin/fleet",
        {
          token,
        },
      );
      expect(admin.status, JSON.stringify(admin.body)).toBe(200);
      expect(admin.body.fleet.backend).toBe(useRedis ? "redis" : "memory");

      const video = await waitForVideo<Video>(
        stack.origin,
        videoId,
        (v) => v.status === "ready" || v.status === "failed",
        120_000,
        token,
      ).catch(fail);
      expect(video.status, video.failureReason).toBe("ready");

      // 4. Storage: one set of renditions — exactly the rendition dirs the video lists, each
      //    holding its playlist, its init segment and exactly the segments that playlist
      //    names; besides them only master.m3u8 and images/WebVTT (poster, trick-play).
      const prefix = `videos/${videoId}/`;
      // The versioned masters progressive publishing switched the pointer through
      // (master-N.m3u8) are pruned by the edge right after `done`.
      const keys = await vi.waitFor(
        async () => {
          const listed = (await listKeys(stack.s3Endpoint, prefix)).map((k) => k.slice(prefix.length));
          if (listed.some((k) => /^master-\d+\.m3u8$/.test(k)))
            throw new Error(`intermediate masters not pruned: ${listed.join(", ")}`);
          return listed;
        },
        { timeout: 15_000, interval: 250 },
      );
      expect(new Set(keys).size).toBe(keys.length);
      const renditionDirs = video.renditions
        .map((r) => (r.playlist ?? `${r.name}/index.m3u8`).split("/")[0]!)
        .sort();
      expect(renditionDirs.length).toBeGreaterThanOrEqual(3);
      const playlistDirs = keys.filter((k) => /^[^/]+\/index\.m3u8$/.test(k)).map((k) => k.split("/")[0]!);
      expect(playlistDirs.sort()).toEqual(renditionDirs);
      for (const dir of renditionDirs) {
        const inDir = keys.filter((k) => k.startsWith(`${dir}/`)).map((k) => k.slice(dir.length + 1));
        const playlist = await s3Text(stack.s3Endpoint, `${prefix}${dir}/index.m3u8`);
        const named = playlist
          .split("\n")
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith("#"));
        const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1];
        expect(inDir.sort(), dir).toEqual([...named, "index.m3u8", ...(init ? [init] : [])].sort());
      }
      const others = keys.filter((k) => !renditionDirs.some((d) => k.startsWith(`${d}/`)));
      expect(others.filter((k) => k === "master.m3u8")).toHaveLength(1);
      for (const k of others) expect(k).toMatch(/^(master\.m3u8|[\w./-]+\.(jpg|jpeg|webp|png|vtt))$/);
      const master = await s3Text(stack.s3Endpoint, `${prefix}master.m3u8`);
      const videoVariants = video.renditions.filter((r) => r.kind !== "audio").length;
      const streamInfs = master.split("\n").filter((l) => l.startsWith("#EXT-X-STREAM-INF"));
      expect(streamInfs.filter((l) => l.includes("RESOLUTION=")).length).toBe(videoVariants);
      // Plus one audio-only variant when the source has sound.
      const audioOnly = video.renditions.some((r) => r.kind === "audio") ? 1 : 0;
      expect(streamInfs.length - videoVariants).toBe(audioOnly);

      // 5. No temp files (the new node swept the killed one's scratch dir when it started), no
      //    orphans, nothing stuck after the sweeper's next pass: the shared after-fault check.
      await assertCleanAfterFault({ ...stack, workDirs: [workDir] });
    },
  );
});
