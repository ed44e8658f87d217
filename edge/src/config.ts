/** The edge's one config loader: parses the Worker env (vars + secrets) with zod, once per isolate. */
import { ServiceSecret } from "@streamline/contracts";
import { z } from "zod";

const intFromString = (def: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === "" ? def : Number(v)))
    .pipe(z.number().int().nonnegative());

/** Unset and empty both mean "not configured". */
const optionalText = z
  .string()
  .optional()
  .transform((v) => v?.trim() || undefined);

const ConfigSchema = z.object({
  S3_ENDPOINT: z.string().url(),
  S3_PUBLIC_ENDPOINT: z.string().url().optional(),
  S3_BUCKET: z.string().min(1),
  S3_REGION: z.string().min(1),
  S3_ACCESS_KEY_ID: z.string().min(1),
  S3_SECRET_ACCESS_KEY: z.string().min(1),
  TRANSCODER_URL: z.string().url(),
  /** ≥ 32 characters, no known placeholder or pattern (contracts service-secret.ts, ADR 0010). */
  JWT_SECRET: ServiceSecret,
  DELIVERY_SECRET: ServiceSecret,
  TRANSCODER_SECRET: ServiceSecret,
  MAX_UPLOAD_BYTES: intFromString(20 * 1024 ** 3),
  UPLOAD_URL_TTL_SECONDS: intFromString(3600),
  UPLOAD_EXPIRY_HOURS: intFromString(24),
  /** Per user: declared bytes of every video whose source is still stored, uploads in progress included. */
  USER_STORAGE_QUOTA_BYTES: intFromString(50 * 1024 ** 3),
  /** Per user: uploads in `uploading` at once; the next create answers 409 until one ends. */
  MAX_UNFINISHED_UPLOADS: intFromString(5).pipe(z.number().min(1)),
  /** Accounts younger than this many hours (0: no new-account limit) … */
  NEW_ACCOUNT_HOURS: intFromString(24),
  /** … may start at most this many uploads in any 24 h (429 `new_account_upload_limit`; 0: no limit). */
  NEW_ACCOUNT_DAILY_UPLOADS: intFromString(10),
  /** A failed video's source stays this long (owner can inspect, retry support), then the cron deletes it. */
  FAILED_SOURCE_RETENTION_HOURS: intFromString(72),
  PLAYBACK_TTL_SECONDS: intFromString(4 * 3600).pipe(z.number().max(6 * 3600)),
  MAX_TRANSCODE_ATTEMPTS: intFromString(3),
  /** A dispatched attempt must show signs of life (heartbeat/progress) this often or be replaced. */
  JOB_LEASE_SECONDS: intFromString(60).pipe(z.number().min(5).max(3600)),
  /**
   * The queue consumer's backoff when the fleet is busy, down or unreachable: BASE, 2 × BASE …
   * capped at MAX (seconds). The fleet's Retry-After is a floor. With the queue's 8 retries the
   * defaults ride out about 20 minutes of outage before the DLQ; tests shorten both.
   */
  DISPATCH_BACKOFF_SECONDS: intFromString(10).pipe(z.number().min(1).max(300)),
  DISPATCH_BACKOFF_MAX_SECONDS: intFromString(300).pipe(z.number().min(1).max(3600)),
  MEDIA_READS: z.enum(["s3", "r2"]).default("s3"),
  /**
   * Static MP4 downloads (ADR 0027): `opt-in` = off until the owner turns them on per video;
   * `default` = on for every video unless its owner turns them off. Owners may always download.
   */
  MP4_DOWNLOADS: z.enum(["default", "opt-in"]).default("opt-in"),
  /** The log threshold (lib/log.ts, ADR 0028); `debug` adds every transcoder heartbeat and progress event. */
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  // accounts
  /** Comma-separated origins allowed to call /api with credentials; unset = the request's own origin. */
  SITE_ORIGIN: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((o) => o.trim().replace(/\/$/, ""))
        .filter(Boolean),
    )
    .pipe(z.array(z.string().url())),
  ACCESS_TOKEN_TTL_SECONDS: intFromString(900).pipe(z.number().min(60).max(900)),
  REFRESH_TTL_DAYS: intFromString(30).pipe(z.number().min(1).max(90)),
  /** How long the just-rotated refresh token still answers with its successor (ADR 0005). */
  REFRESH_GRACE_SECONDS: intFromString(10).pipe(z.number().min(0).max(60)),
  /** Workers' WebCrypto refuses PBKDF2 above 100,000 iterations. */
  PASSWORD_ITERATIONS: intFromString(100_000).pipe(z.number().min(10_000).max(100_000)),
  /** Failed sign-ins per email before each further attempt waits 2^k s (ADR 0005). */
  LOGIN_FREE_FAILURES: intFromString(5).pipe(z.number().min(1).max(100)),
  /** The cap on that wait. */
  LOGIN_MAX_DELAY_SECONDS: intFromString(300).pipe(z.number().min(1).max(3600)),
  /** Signups per client IP (an IPv6 /64) per hour; the 409 `email_taken` is behind it (ADR 0005). */
  SIGNUPS_PER_IP_PER_HOUR: intFromString(10).pipe(z.number().min(1).max(100_000)),
  /** How long an isolate trusts its last look at a session (revocation staleness bound, ADR 0004). */
  SESSION_CHECK_CACHE_SECONDS: intFromString(5).pipe(z.number().max(30)),
  /**
   * How long an isolate trusts its last look at a video's access epoch: the bound on how long
   * a segment, poster or sprite link keeps working after its video turned private (ADR 0003).
   */
  ACCESS_EPOCH_CACHE_SECONDS: intFromString(30).pipe(z.number().max(300)),
  /**
   * How long the edge keeps an immutable media object (segment, init file, image) in the
   * Workers Cache API after the token check (ADR 0030); 0 = every request reads storage.
   */
  MEDIA_CACHE_SECONDS: intFromString(86_400).pipe(z.number().max(30 * 86_400)),
  /**
   * The bound on one media read from storage in delivery (one retry included): past it the
   * player gets 504 `storage_timeout` with `Retry-After` instead of a hanging request.
   */
  STORAGE_READ_TIMEOUT_MS: intFromString(10_000).pipe(z.number().min(100).max(60_000)),
  // views and history (ADR 0016)
  /** A view counts at most once per viewer and video in this many seconds. */
  VIEW_WINDOW_SECONDS: intFromString(3600).pipe(
    z
      .number()
      .min(60)
      .max(30 * 86_400),
  ),
  /** Seconds of real playback before a view counts (half of a video shorter than 60 s, if less). */
  VIEW_MIN_PLAYED_SECONDS: intFromString(30).pipe(z.number().min(1).max(3600)),
  /** Slack added to wall-clock time when clamping a heartbeat's played seconds. */
  VIEW_CLAMP_SLACK_SECONDS: intFromString(2).pipe(z.number().max(30)),
  /** How often a video's ViewCounter flushes its buffer to D1; 0 writes every heartbeat through (bench baseline). */
  VIEW_FLUSH_SECONDS: intFromString(10).pipe(z.number().max(300)),
  /**
   * How a new video's `new_video` rows are written (ADR 0017): `batched` (500 rows per
   * INSERT … SELECT, pushes in queued chunks); `per_subscriber` is the naive one-INSERT-and-
   * one-push-per-subscriber path, kept as the bench's baseline.
   */
  NOTIFICATIONS_FANOUT: z.enum(["batched", "per_subscriber"]).default("batched"),
  // mail (ADR 0014)
  /** `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://…`; unset = mails go to the log. */
  SMTP_URL: z
    .string()
    .optional()
    .transform((v) => v || undefined)
    .pipe(
      z
        .string()
        .regex(/^smtps?:\/\/[^/]+/, "must be smtp://[user:pass@]host[:port] or smtps://…")
        .optional(),
    ),
  /** The From of every mail: `Name <address>` or an address. */
  MAIL_FROM: z.string().min(3).default("Streamline <no-reply@streamline.localhost>"),
  /**
   * Development only: the local mail sink's listing (`npm run dev` sets it). Set and on
   * loopback → `/dev/mail` shows the caught mails; otherwise that path is a 404.
   */
  DEV_MAIL_URL: z.string().url().optional(),
  /** `true`: uploads (and later comments) need a verified email (403 `email_unverified`). */
  REQUIRE_EMAIL_VERIFICATION: z
    .enum(["true", "false", ""])
    .optional()
    .transform((v) => v === "true"),
  // Sign in with Google (OpenID Connect, ADR 0012): offered only when the client id and secret are set.
  /** Any standards-compliant issuer works; http only for a loopback issuer (local tests). */
  OIDC_GOOGLE_ISSUER: z
    .string()
    .optional()
    .transform((v) => v || "https://accounts.google.com")
    .pipe(z.string().url()),
  OIDC_GOOGLE_CLIENT_ID: optionalText,
  OIDC_GOOGLE_CLIENT_SECRET: optionalText,
  // webhooks (ADR 0025)
  /**
   * Development only: comma-separated hostnames (or IP literals) exempt from the webhook
   * target check, e.g. `127.0.0.1,localhost` for a local receiver. Empty in production.
   */
  WEBHOOK_ALLOW_HOSTS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    ),
  /** The first retry's delay; each next one doubles, capped at 6 h. */
  WEBHOOK_RETRY_BASE_SECONDS: intFromString(60).pipe(z.number().min(1).max(3600)),
  /** No automatic retry is scheduled later than this after the event (or a manual redelivery). */
  WEBHOOK_RETRY_HOURS: intFromString(24).pipe(z.number().min(1).max(72)),
});

export type Config = z.infer<typeof ConfigSchema>;

/**
 * Every variable the edge reads. `npm run dev` passes any of them found in its own
 * environment to wrangler, overriding wrangler.toml the way `--var` does.
 */
export const CONFIG_KEYS: readonly string[] = Object.keys(ConfigSchema.shape);

const cache = new WeakMap<object, Config>();

/** `env`: the Worker env (typed `object` so Node tooling can import this module without workerd types). */
export function loadConfig(env: object): Config {
  let config = cache.get(env);
  if (!config) {
    const parsed = ConfigSchema.safeParse(env);
    if (!parsed.success) {
      // Names and reasons only: a message never echoes a secret's value.
      const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(`edge misconfigured: ${fields} (see .dev.vars.example)`);
    }
    config = parsed.data;
    cache.set(env, config);
  }
  return config;
}
