/**
 * API keys on the bearer path (ADR 0025): `Authorization: Bearer sl_…` is accepted wherever
 * an access token is, then held to the key's scopes (scopes.ts), counted by its own rate
 * limiter (`RL_API_KEYS`, per key) and its last use recorded at most once a minute.
 */
import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError } from "../../lib/errors.ts";
import { errorMessage, log } from "../../lib/log.ts";
import { enforceRateLimit } from "../../middleware/rate-limit/index.ts";
import { ApiKeysRepo } from "./api-keys.repo.ts";
import { LAST_USED_THROTTLE_MS, type VerifiedKey, verifyApiKey } from "./api-keys.service.ts";
import { requiredScope } from "./scopes.ts";

export interface ApiKeyClaims {
  userId: string;
  /** The key's id: what `sessionId` means for a key (there is no session behind it). */
  sessionId: string;
  apiKey: VerifiedKey;
}

export async function checkApiKey(
  token: string,
  c: Context<AppEnv>,
): Promise<{ ok: true; claims: ApiKeyClaims } | { ok: false; reason: "invalid" }> {
  const key = await verifyApiKey(new ApiKeysRepo(c.var.services.db), token);
  return key
    ? { ok: true, claims: { userId: key.userId, sessionId: key.id, apiKey: key } }
    : { ok: false, reason: "invalid" };
}

function insufficientScope(message: string, scope?: string): AppError {
  const challenge = `Bearer error="insufficient_scope"${scope ? `, scope="${scope}"` : ""}`;
  return new AppError(403, "insufficient_scope", message, { headers: { "www-authenticate": challenge } });
}

/** Scope, rate limit, last use. Throws 403 `insufficient_scope` or 429 `rate_limited`. */
export async function authorizeApiKey(key: VerifiedKey, c: Context<AppEnv>): Promise<void> {
  const scope = requiredScope(c.req.method, new URL(c.req.url).pathname);
  if (!scope) throw insufficientScope("API keys cannot call this endpoint; it needs a signed-in session");
  if (!key.scopes.includes(scope))
    throw insufficientScope(`this API key lacks the \`${scope}\` scope`, scope);
  await enforceRateLimit(c.env, "RL_API_KEYS", `key:${key.id}`);
  c.set("apiKeyId", key.id);
  const now = Date.now();
  if (key.lastUsedAt !== null && now - key.lastUsedAt < LAST_USED_THROTTLE_MS) return;
  const touch = new ApiKeysRepo(c.var.services.db)
    .touch(key.id, now, LAST_USED_THROTTLE_MS)
    .catch((err) => log.warn("api key: last use not recorded", { keyId: key.id, error: errorMessage(err) }));
  try {
    c.executionCtx.waitUntil(touch);
  } catch {
    await touch;
  }
}
