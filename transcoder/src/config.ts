/**
 * The transcoder's single configuration loader: every environment variable is parsed
 * and defaulted here (zod), once, at start. Nothing else reads `process.env` for settings.
 */
import { cpus, hostname, tmpdir } from "node:os";
import { KNOWN_PLACEHOLDER_SECRETS, ServiceSecret } from "@streamline/contracts";
import { z } from "zod";

const intFrom = (min: number) => z.coerce.number().int().min(min);
/** Every millisecond setting becomes a timer somewhere: 2^31 − 1 is the longest one Node keeps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

/** Default concurrency: one job per two cores (each job's x264 encoders use every core anyway). */
export function defaultMaxJobs(cpuCount = cpus().length): number {
  return Math.max(1, Math.floor(cpuCount / 2));
}

/** Fallbacks that only development mode may use: they point at the embedded dev stack. */
const DEV_DEFAULTS = {
  EDGE_URL: "http://127.0.0.1:8787",
  S3_ENDPOINT: "http://127.0.0.1:9000",
  S3_ACCESS_KEY_ID: "S3RVER",
  S3_SECRET_ACCESS_KEY: "S3RVER",
} as const;

export const ConfigSchema = z.object({
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: intFrom(0).max(65535).default(8790),
  EDGE_URL: z.url().default(DEV_DEFAULTS.EDGE_URL),
  /**
   * Development mode (`npm run dev`, the e2e stack, docker-compose): only then do EDGE_URL
   * and the S3 settings fall back to the embedded dev stack, and may S3 use its published
   * credentials. Anything else must name them (ADR 0010).
   */
  STREAMLINE_DEV: z
    .enum(["1", "true", "0", "false"], { error: "must be 1/true (development) or 0/false" })
    .default("0")
    .transform((v) => v === "1" || v === "true"),
  /** The edge↔fleet secret; per-direction signing keys are derived from it (contracts service-signature.ts). */
  TRANSCODER_SECRET: ServiceSecret,
  S3_ENDPOINT: z.url().default(DEV_DEFAULTS.S3_ENDPOINT),
  S3_BUCKET: z.string().min(1).default("streamline"),
  S3_REGION: z.string().min(1).default("us-east-1"),
  // s3rver's fixed dev credentials (development mode only); production sets real R2/S3 keys.
  S3_ACCESS_KEY_ID: z.string().min(1).default(DEV_DEFAULTS.S3_ACCESS_KEY_ID),
  S3_SECRET_ACCESS_KEY: z.string().min(1).default(DEV_DEFAULTS.S3_SECRET_ACCESS_KEY),
  MAX_JOBS: intFrom(1).default(() => defaultMaxJobs()),
  WORK_DIR: z
    .string()
    .min(1)
    .default(() => tmpdir()),
  FFMPEG_PATH: optionalString,
  FFPROBE_PATH: optionalString,
  /** Set: claims, cancel bus and node registry in Redis (a fleet). Unset: in memory (one node). */
  REDIS_URL: optionalString,
  /** Namespace for every Redis key and channel, so deployments can share a server. */
  REDIS_PREFIX: z.string().min(1).default("streamline:"),
  NODE_ID: z
    .string()
    .min(1)
    .default(() => `${hostname()}-${process.pid}`),
  /**
   * Set: `GET /metrics` asks for `Authorization: Bearer <METRICS_TOKEN>`. Unset: open, for a
   * Prometheus on the fleet's private network (the node's port is never public, ADR 0009).
   */
  METRICS_TOKEN: optionalString,
  /** How other services reach this node (shown in the fleet registry); optional. */
  PUBLIC_URL: z.url().optional(),
  /** Edge heartbeat, claim extension and registry refresh period. */
  HEARTBEAT_MS: intFrom(100).max(MAX_TIMER_MS).default(5000),
  /** Claim and registry-entry TTL; default 3 × HEARTBEAT_MS (survives two missed beats). */
  CLAIM_TTL_MS: intFrom(300).max(MAX_TIMER_MS).optional(),
  /**
   * `-threads` for decoding, filtering and each encoder of one job's ffmpeg runs; unset =
   * cores / MAX_JOBS (so concurrent jobs do not oversubscribe the node).
   */
  FFMPEG_THREADS: intFrom(0).optional(),
  /** Niceness of ffmpeg children (`nice -n`); background phases run 5 steps nicer. 0 = off. */
  FFMPEG_NICE: intFrom(0).max(19).default(10),
  /** Address-space cap per ffmpeg process (`prlimit --as`), MiB; 0 = off. AV1 runs get 4×. */
  FFMPEG_MEMORY_MB: intFrom(0).default(4096),
  /**
   * An encode may take this many times the media it has really produced so far, + 120 s
   * (never the container's claim: a header can say 100 h over 2 s of samples).
   */
  FFMPEG_TIMEOUT_FACTOR: z.coerce.number().positive().default(6),
  /** An encode whose output position does not advance for this many seconds is killed. */
  FFMPEG_STALL_TIMEOUT_SEC: intFrom(5).max(86_400).default(120),
  /** Largest picture accepted, in pixels (width × height); default 8K UHD, 7680 × 4320. */
  MAX_PIXELS: intFrom(1).default(7680 * 4320),
  /** Longest video accepted, in seconds of real content; default 12 h. */
  MAX_DURATION_SEC: intFrom(1).default(12 * 3600),
  /** Highest frame rate accepted (frames per second); default 120. */
  MAX_FPS: z.coerce.number().positive().default(120),
  /** Extra ladder(s) after H.264 for capable clients: "", "hevc", "av1" or "hevc,av1". */
  EXTRA_CODECS: z
    .string()
    .default("")
    .refine((v) => v.split(",").every((c) => ["", "hevc", "av1"].includes(c.trim().toLowerCase())), {
      message: 'EXTRA_CODECS: comma-separated list of "hevc" and/or "av1"',
    }),
  /** x264 preset for every rung; veryfast is the usual VOD-on-commodity-CPU trade-off. */
  X264_PRESET: z
    .enum(["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower"])
    .default("veryfast"),
  SHUTDOWN_GRACE_MS: intFrom(0).max(MAX_TIMER_MS).default(30_000),
  /**
   * Hard ceiling for one ffmpeg run (a stuck decoder must not hold a slot forever); at most
   * 2^31 − 1 ms, the longest delay a timer holds.
   */
  JOB_TIMEOUT_MS: intFrom(1000)
    .max(MAX_TIMER_MS)
    .default(4 * 60 * 60 * 1000),
});

export type Config = Omit<z.infer<typeof ConfigSchema>, "CLAIM_TTL_MS"> & { CLAIM_TTL_MS: number };

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Outside development mode nothing falls back to the embedded dev stack: each of these
 * must be set, and S3 must not use a published example credential. Names only, no values.
 */
function developmentOnlyProblems(
  env: Record<string, string>,
  config: z.infer<typeof ConfigSchema>,
): string[] {
  if (config.STREAMLINE_DEV) return [];
  const missing = Object.keys(DEV_DEFAULTS)
    .filter((name) => env[name] === undefined)
    .map((name) => `  ${name}: is required outside development (STREAMLINE_DEV=1)`);
  const devCredential = KNOWN_PLACEHOLDER_SECRETS.includes(config.S3_SECRET_ACCESS_KEY.toLowerCase());
  return devCredential && env.S3_SECRET_ACCESS_KEY !== undefined
    ? [...missing, "  S3_SECRET_ACCESS_KEY: is a development credential; refused outside STREAMLINE_DEV=1"]
    : missing;
}

/** Parses `env` (default `process.env`); throws a ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset" (shell `FOO= node …`), so defaults still apply.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""),
  );
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new ConfigError(`invalid transcoder configuration:\n${lines.join("\n")}`);
  }
  const devOnly = developmentOnlyProblems(cleaned, parsed.data);
  if (devOnly.length > 0) throw new ConfigError(`invalid transcoder configuration:\n${devOnly.join("\n")}`);
  const ttl = parsed.data.CLAIM_TTL_MS ?? parsed.data.HEARTBEAT_MS * 3;
  if (ttl < parsed.data.HEARTBEAT_MS * 2) {
    throw new ConfigError(
      `invalid transcoder configuration:\n  CLAIM_TTL_MS: must be at least 2 × HEARTBEAT_MS (${parsed.data.HEARTBEAT_MS * 2})`,
    );
  }
  return { ...parsed.data, CLAIM_TTL_MS: ttl };
}
