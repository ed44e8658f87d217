/**
 * Which scope each API route needs when the caller is an API key (ADR 0025). One table,
 * read top to bottom; a route that matches no row is refused to keys (403
 * `insufficient_scope`): account, password, session, API-key management, comments,
 * reactions, subscriptions and admin need a real signed-in session. A new route is
 * therefore closed to keys until someone decides its scope here.
 */
import type { ApiKeyScope } from "@streamline/contracts";

type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
interface ScopeRule {
  methods: readonly Method[];
  path: RegExp;
  scope: ApiKeyScope;
}

const READ: readonly Method[] = ["GET", "HEAD"];
const WRITE: readonly Method[] = ["POST", "PUT", "PATCH", "DELETE"];
const ANY: readonly Method[] = [...READ, ...WRITE];
const SEG = "[^/]+";

const rule = (methods: readonly Method[], path: string, scope: ApiKeyScope): ScopeRule => ({
  methods,
  path: new RegExp(`^${path}/?$`),
  scope,
});

export const SCOPE_RULES: readonly ScopeRule[] = [
  rule(ANY, "/api/uploads(?:/.*)?", "uploads"),
  rule(READ, "/api/me", "videos:read"),
  rule(READ, "/api/me/videos", "videos:read"),
  rule(READ, "/api/me/analytics", "analytics:read"),
  rule(READ, `/api/videos/${SEG}/analytics`, "analytics:read"),
  rule(ANY, "/api/me/webhooks(?:/.*)?", "webhooks"),
  rule(READ, "/api/videos", "videos:read"),
  rule(READ, `/api/videos/${SEG}`, "videos:read"),
  rule(READ, `/api/videos/${SEG}/playlist\\.m3u8`, "videos:read"),
  rule(READ, `/api/videos/${SEG}/thumbnail`, "videos:read"),
  rule(READ, `/api/videos/${SEG}/captions`, "videos:read"),
  rule(READ, `/api/videos/${SEG}/download`, "videos:read"),
  rule(["POST"], "/api/ws-ticket", "videos:read"),
  rule(["PATCH", "DELETE"], `/api/videos/${SEG}`, "videos:write"),
  rule(["PUT", "DELETE"], `/api/videos/${SEG}/captions/${SEG}`, "videos:write"),
  rule(["PUT"], `/api/videos/${SEG}/poster`, "videos:write"),
  rule(["POST"], `/api/videos/${SEG}/clips`, "videos:write"),
];

/** The scope a request needs, or null when API keys may not call it at all. */
export function requiredScope(method: string, pathname: string): ApiKeyScope | null {
  const m = method.toUpperCase() as Method;
  return SCOPE_RULES.find((r) => r.methods.includes(m) && r.path.test(pathname))?.scope ?? null;
}
