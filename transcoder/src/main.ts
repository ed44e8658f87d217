/**
 * Process entry point: config → ffmpeg → fleet (claims, cancel bus, registry: Redis or
 * memory) → storage → runner → HTTP server; SIGTERM/SIGINT drain gracefully (a second
 * signal cancels at once) and take the node out of the registry.
 * Run with `node transcoder/src/main.ts` (Node ≥ 22.12 type stripping, no build step).
 */
import { cpus } from "node:os";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import pkg from "../package.json" with { type: "json" };
import { channelImageReporter } from "./channel-image-events.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { HttpEventReporter } from "./events.ts";
import { type FfmpegBinaries, locateFfmpeg } from "./ffmpeg/locate.ts";
import { connectFleet, type Fleet } from "./fleet/fleet.ts";
import { fleetAwareReporter } from "./fleet/fleet-reporter.ts";
import { type NodeInfo, NodePresence } from "./fleet/registry.ts";
import { prepareWorkDir, removeWorkDir } from "./fleet/work-dir.ts";
import { handleChannelImageJob } from "./handle-channel-image-job.ts";
import { handleDownloadJob } from "./handle-download-job.ts";
import { handleJob } from "./handle-job.ts";
import { handlePosterJob } from "./handle-poster-job.ts";
import { parseExtraCodecs } from "./ladder.ts";
import { errorMessage, log } from "./log.ts";
import { watchInFlight } from "./metrics.ts";
import type { ResourceLimits } from "./resources.ts";
import { type ExecuteJob, JobRunner } from "./runner.ts";
import { createApp } from "./server.ts";
import { S3Storage } from "./storage.ts";

export interface StartedTranscoder {
  url: string;
  runner: JobRunner;
  fleet: Fleet;
  /** Drain (grace from config), leave the registry and close everything. Idempotent. */
  stop(): Promise<void>;
}

/** Starts a transcoder node from a parsed config. Used by main and by tests. */
export async function startTranscoder(config: Config): Promise<StartedTranscoder> {
  if (config.STREAMLINE_DEV)
    log.warn("development mode (STREAMLINE_DEV=1): dev S3 defaults and credentials are allowed");
  const ffmpeg = await locateFfmpeg(config);
  log.info("ffmpeg located", { source: ffmpeg.source, version: ffmpeg.version.raw, ffmpeg: ffmpeg.ffmpeg });

  const fleet = await connectFleet({
    redisUrl: config.REDIS_URL,
    prefix: config.REDIS_PREFIX,
    nodeId: config.NODE_ID,
  });
  log.info("fleet backend", {
    backend: fleet.backend,
    node: config.NODE_ID,
    claimTtlMs: config.CLAIM_TTL_MS,
  });
  const workDir = await prepareWorkDir(config.WORK_DIR);

  let presence: NodePresence | undefined;
  const runner = new JobRunner({
    nodeId: config.NODE_ID,
    maxJobs: config.MAX_JOBS,
    claims: fleet.claims,
    claimTtlMs: config.CLAIM_TTL_MS,
    isCancelled: (jobId) => fleet.cancels.isCancelled(jobId),
    onChange: () => presence?.touch(),
    execute: jobExecutor(config, { storage: s3Storage(config), ffmpeg, workDir }),
  });

  watchInFlight(() => runner.countsByKind());
  await fleet.cancels.subscribe((message) => {
    if (runner.cancel(message.jobId, message.reason, message.videoId)) {
      log.info("cancel received", { jobId: message.jobId, videoId: message.videoId, from: message.from });
    }
  });

  const describe = nodeDescription(config, runner);
  presence = new NodePresence({
    registry: fleet.registry,
    describe,
    refreshMs: config.HEARTBEAT_MS,
    ttlMs: config.CLAIM_TTL_MS,
  });

  const app = createApp({
    runner,
    secret: config.TRANSCODER_SECRET,
    metricsToken: config.METRICS_TOKEN,
    nodeId: config.NODE_ID,
    fleet: { backend: fleet.backend, cancels: fleet.cancels, registry: fleet.registry, describe },
  });
  const { server, port } = await listen(app, config);
  await presence.start();

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${config.HOST}:${port}`,
    runner,
    fleet,
    stop: () => {
      stopping ??= (async () => {
        await runner.drain(config.SHUTDOWN_GRACE_MS);
        await presence.stop();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await fleet.close();
        await removeWorkDir(workDir);
      })();
      return stopping;
    },
  };
}

function s3Storage(config: Config): S3Storage {
  return new S3Storage({
    endpoint: config.S3_ENDPOINT,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
  });
}

/** Resource policy for every ffmpeg child (resources.ts): threads split between job slots. */
function resourceLimits(config: Config): ResourceLimits {
  return {
    threads: config.FFMPEG_THREADS ?? Math.max(1, Math.floor(cpus().length / config.MAX_JOBS)),
    nice: config.FFMPEG_NICE,
    memoryBytes: config.FFMPEG_MEMORY_MB > 0 ? config.FFMPEG_MEMORY_MB * 1024 * 1024 : undefined,
    timeoutFactor: config.FFMPEG_TIMEOUT_FACTOR,
    stallTimeoutMs: config.FFMPEG_STALL_TIMEOUT_SEC * 1000,
  };
}

/** Runs one admitted job: its fleet-aware event reporter, then the handler for its type. */
function jobExecutor(
  config: Config,
  node: { storage: S3Storage; ffmpeg: FfmpegBinaries; workDir: string },
): ExecuteJob {
  const { storage, ffmpeg, workDir } = node;
  const limits = resourceLimits(config);
  const extraCodecs = parseExtraCodecs(config.EXTRA_CODECS);
  return (job, ctx) => {
    // A channel image belongs to a user, not a video: one result event, no video reporter.
    if (job.type === "channel-image") {
      const report = channelImageReporter(
        { edgeUrl: config.EDGE_URL, secret: config.TRANSCODER_SECRET },
        job,
      );
      return handleChannelImageJob(job, { storage, report, ffmpeg, workDir, limits, signal: ctx.signal });
    }
    // The edge answering 409/410 to our events means this attempt was superseded (or the
    // video deleted): stop encoding instead of burning CPU on output nobody will use.
    const superseded = new AbortController();
    const signal = AbortSignal.any([ctx.signal, superseded.signal]);
    const reporter = fleetAwareReporter(
      new HttpEventReporter({
        edgeUrl: config.EDGE_URL,
        secret: config.TRANSCODER_SECRET,
        job,
        node: config.NODE_ID,
        onStale: (status) =>
          superseded.abort(
            new Error(`edge answered ${status}: this attempt was superseded or the video is gone`),
          ),
      }),
      { signal: ctx.signal, onProgress: ctx.onProgress },
    );
    // One handler per job type (contracts Job union).
    switch (job.type) {
      case "transcode":
        return handleJob(job, {
          storage,
          reporter,
          ffmpeg,
          workDir,
          encoder: { preset: config.X264_PRESET, extraCodecs },
          limits,
          heartbeatMs: config.HEARTBEAT_MS,
          onHeartbeat: ctx.onHeartbeat,
          signal,
          timeoutMs: config.JOB_TIMEOUT_MS,
          caps: {
            maxPixels: config.MAX_PIXELS,
            maxDurationSec: config.MAX_DURATION_SEC,
            maxFps: config.MAX_FPS,
          },
        });
      case "poster":
        return handlePosterJob(job, { storage, reporter, ffmpeg, workDir, limits, signal });
      case "download":
        return handleDownloadJob(job, { storage, reporter, ffmpeg, workDir, limits, signal });
    }
  };
}

/** This node's registry entry, fresh on every call. */
function nodeDescription(config: Config, runner: JobRunner): () => NodeInfo {
  const startedAt = new Date().toISOString();
  return () => ({
    nodeId: config.NODE_ID,
    ...(config.PUBLIC_URL ? { url: config.PUBLIC_URL } : {}),
    capacity: runner.capacity,
    running: runner.snapshot(),
    draining: runner.isDraining,
    startedAt,
    version: pkg.version,
    lastSeen: new Date().toISOString(),
  });
}

function listen(app: Hono, config: Config): Promise<{ server: ReturnType<typeof serve>; port: number }> {
  return new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, (info) =>
      resolve({ server: s, port: info.port }),
    );
  });
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
