/**
 * Rate limits over the Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml,
 * which also sets each limit). Over the limit → 429 `rate_limited` with `Retry-After`.
 * The binding does not say when its window ends, so Retry-After is the configured period
 * (an upper bound). If the binding is missing or fails, requests pass: a limiter outage
 * must not take sign-in down with it. Keys by client IP use `clientInfo().rateKey` (an IPv6
 * client is its /64, lib/client-info.ts).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError } from "../../lib/errors.ts";
import { errorMessage, log } from "../../lib/log.ts";

/** Binding name → its `simple.period` in wrangler.toml (seconds); a test keeps the two in step. */
export const RATE_LIMIT_PERIODS = {
  RL_AUTH_IP: 60,
  RL_REFRESH: 60,
  RL_UPLOADS: 60,
  RL_MEDIA_UPLOADS: 60,
  RL_UPLOAD_URLS: 60,
  RL_WS_TICKET: 60,
  RL_HEALTH: 60,
  RL_EDITS: 60,
  RL_COMMENTS: 60,
  RL_REACTIONS: 60,
  RL_VIEWS: 60,
  RL_SUBSCRIPTIONS: 60,
  RL_API_KEYS: 60,
  RL_DOWNLOADS: 60,
  RL_CLIPS: 60,
} as const satisfies Record<string, 10 | 60>;

export type LimiterName = keyof typeof RATE_LIMIT_PERIODS;

export async function enforceRateLimit(
  env: Partial<Pick<Env, LimiterName>>,
  name: LimiterName,
  key: string,
): Promise<void> {
  const limiter = env[name];
  if (!limiter) return;
  let outcome: RateLimitOutcome;
  try {
    outcome = await limiter.limit({ key });
  } catch (err) {
    log.warn("rate limiter unavailable, letting the request through", {
      limiter: name,
      error: errorMessage(err),
    });
    return;
  }
  if (!outcome.success) {
    const period = RATE_LIMIT_PERIODS[name];
    throw new AppError(429, "rate_limited", `too many requests; try again in ${period} seconds`, {
      headers: { "retry-after": String(period) },
    });
  }
}

/** Middleware form for limits keyed by something known before the body is read. */
export function rateLimit(
  name: LimiterName,
  keyOf: (c: Context<AppEnv>) => string | null | undefined,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = keyOf(c);
    if (key) await enforceRateLimit(c.env, name, key);
    await next();
  };
}
