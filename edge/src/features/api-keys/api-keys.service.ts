/**
 * API keys (ADR 0025): `sl_` + 32 random bytes in base64url, shown once. The server keeps
 * their SHA-256 only: with 256 bits of entropy a fast hash is enough (a slow password hash
 * protects guessable secrets; nobody can enumerate 2^256 keys), and a lookup by hash costs one
 * indexed read per request.
 */
import {
  API_KEY_PATTERN,
  type ApiKeyDto,
  type ApiKeyScope,
  type CreateApiKeyBody,
  type CreatedApiKeyResponse,
} from "@streamline/contracts";
import type { ApiKeyRow } from "../../db/schema.ts";
import { AppError } from "../../lib/errors.ts";
import { randomId } from "../../lib/ids.ts";
import { type ApiKeysRepo, MAX_KEYS_PER_USER } from "./api-keys.repo.ts";

export const API_KEY_PREFIX = "sl_";
/** `last_used_at` moves at most this often per key (one write a minute, not one per request). */
export const LAST_USED_THROTTLE_MS = 60_000;

const newApiKeyId = () => `ak_${randomId(20)}`;

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function generateApiKey(): string {
  return API_KEY_PREFIX + base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function hashApiKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export const looksLikeApiKey = (token: string) => token.startsWith(API_KEY_PREFIX);

export function toApiKeyDto(row: ApiKeyRow): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopesJson) as ApiKeyScope[],
    createdAt: new Date(row.createdAt).toISOString(),
    lastUsedAt: row.lastUsedAt === null ? null : new Date(row.lastUsedAt).toISOString(),
  };
}

export async function createApiKey(
  repo: ApiKeysRepo,
  userId: string,
  body: CreateApiKeyBody,
  now = Date.now(),
): Promise<CreatedApiKeyResponse> {
  if ((await repo.countLive(userId)) >= MAX_KEYS_PER_USER)
    throw new AppError(409, "too_many_api_keys", `at most ${MAX_KEYS_PER_USER} API keys; revoke one first`);
  const key = generateApiKey();
  const row = {
    id: newApiKeyId(),
    userId,
    name: body.name,
    prefix: key.slice(0, API_KEY_PREFIX.length + 8),
    keyHash: await hashApiKey(key),
    scopesJson: JSON.stringify(body.scopes),
    createdAt: now,
  };
  await repo.insert(row);
  return { apiKey: toApiKeyDto({ ...row, lastUsedAt: null, revokedAt: null }), key };
}

export interface VerifiedKey {
  id: string;
  userId: string;
  scopes: ApiKeyScope[];
  lastUsedAt: number | null;
}

/** The live key behind `token`, or null (unknown, malformed, revoked, or its owner suspended). */
export async function verifyApiKey(repo: ApiKeysRepo, token: string): Promise<VerifiedKey | null> {
  if (!API_KEY_PATTERN.test(token)) return null;
  const found = await repo.findByHash(await hashApiKey(token));
  if (!found || found.key.revokedAt !== null || found.ownerSuspended) return null;
  const { key } = found;
  return {
    id: key.id,
    userId: key.userId,
    scopes: JSON.parse(key.scopesJson) as ApiKeyScope[],
    lastUsedAt: key.lastUsedAt,
  };
}
