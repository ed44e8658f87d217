/**
 * Process entry point: config → ffmpeg → claims (Redis or memory) → storage → runner →
 * HTTP server; SIGTERM/SIGINT drain gracefully (a second signal cancels at once).
 * Run with `node transcoder/src/main.ts` (Node ≥ 22.12 type stripping, no build step).
 */
import { serve } from "@hono/node-server";
import { Redis } from "ioredis";
import { type JobClaims, MemoryJobClaims, RedisJobClaims } from "./claims.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { HttpEventReporter } from "./events.ts";
import { locateFfmpeg } from "./ffmpeg/locate.ts";
import { handleJob } from "./handle-job.ts";
import { errorMessage, log } from "./log.ts";
import { JobRunner } from "./runner.ts";
import { createApp } from "./server.ts";
import { S3Storage } from "./storage.ts";

export interface StartedTranscoder {
  url: string;
  runner: JobRunner;
  /** Drain (grace from config) and close everything. Idempotent. */
  stop(): Promise<void>;
}

/** Starts a transcoder node from a parsed config. Used by main and by e2e tests. */
export async function startTranscoder(config: Config): Promise<StartedTranscoder> {
  const ffmpeg = await locateFfmpeg(config);
  log.info("ffmpeg located", { source: ffmpeg.source, version: ffmpeg.version.raw, ffmpeg: ffmpeg.ffmpeg });

  let claims: JobClaims;
  if (config.REDIS_URL) {
    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true });
    await redis.connect();
    claims = new RedisJobClaims(redis);
  } else {
    claims = new MemoryJobClaims();
  }

  const storage = new S3Storage({
    endpoint: config.S3_ENDPOINT,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
  });

  const runner = new JobRunner({
    maxJobs: config.MAX_JOBS,
    claims,
    // Survives two missed heartbeats, expires soon after a crash.
    claimTtlMs: Math.max(15_000, config.HEARTBEAT_MS * 3),
    execute: (job, ctx) => {
      // The edge answering 409/410 to our events means this attempt was superseded (or the
      // video deleted): stop encoding instead of burning CPU on output nobody will use.
      const superseded = new AbortController();
      const reporter = new HttpEventReporter({
        edgeUrl: config.EDGE_URL,
        secret: config.TRANSCODER_SECRET,
        job,
        node: config.NODE_ID,
        onStale: (status) =>
          superseded.abort(
            new Error(`edge answered ${status}: this attempt was superseded or the video is gone`),
          ),
      });
      return handleJob(job, {
        storage,
        reporter,
        ffmpeg,
        workDir: config.WORK_DIR,
        encoder: { preset: config.X264_PRESET, threads: config.FFMPEG_THREADS },
        heartbeatMs: config.HEARTBEAT_MS,
        onHeartbeat: ctx.onHeartbeat,
        signal: AbortSignal.any([ctx.signal, superseded.signal]),
        timeoutMs: config.JOB_TIMEOUT_MS,
      });
    },
  });

  const app = createApp({ runner, secret: config.TRANSCODER_SECRET, nodeId: config.NODE_ID });
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const s = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, (info) =>
        resolve({ server: s, port: info.port }),
      );
    },
  );

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${config.HOST}:${port}`,
    runner,
    stop: () => {
      stopping ??= (async () => {
        await runner.drain(config.SHUTDOWN_GRACE_MS);
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await claims.close();
      })();
      return stopping;
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : errorMessage(err)}\n`);
    process.exit(1);
  }
  let node: StartedTranscoder;
  try {
    node = await startTranscoder(config);
  } catch (err) {
    log.error("transcoder failed to start", { error: errorMessage(err) });
    process.exit(1);
  }
  process.stdout.write(`transcoder listening on ${node.url}\n`);

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      log.warn("second signal: cancelling running jobs now", { signal });
      node.runner.cancelAll("transcoder shutting down: job released for another node");
      return;
    }
    log.info("shutting down: draining jobs", {
      signal,
      graceMs: config.SHUTDOWN_GRACE_MS,
      running: node.runner.runningCount,
    });
    node.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error("shutdown failed", { error: errorMessage(err) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

if (import.meta.main) await main();
