/**
 * The API's bearer authentication, wired: the generic middleware (middleware/auth) with
 * this feature's access-token check and the sessions feature's revocation check (ADR 0004),
 * and API keys (`sl_…`, ADR 0025) held to their scopes.
 */

import { bearerAuth } from "../../middleware/auth/index.ts";
import type { VerifiedKey } from "../api-keys/api-keys.service.ts";
import { looksLikeApiKey } from "../api-keys/api-keys.service.ts";
import { authorizeApiKey, checkApiKey } from "../api-keys/key-auth.ts";
import { verifyAccessToken } from "./access-token.ts";
import { isSessionLive } from "./session-status.ts";
import { SessionsRepo } from "./sessions.repo.ts";

interface Claims {
  userId: string;
  sessionId: string;
  apiKey?: VerifiedKey;
}

export const { authenticate, requireAuth, optionalAuth } = bearerAuth<Claims>({
  verifyToken: (token, c) =>
    looksLikeApiKey(token)
      ? checkApiKey(token, c)
      : verifyAccessToken(c.var.services.config.JWT_SECRET, token),
  isSessionLive: (claims, c) => {
    if (claims.apiKey) return Promise.resolve(true);
    const { db, config } = c.var.services;
    return isSessionLive(
      new SessionsRepo(db),
      claims.sessionId,
      claims.userId,
      config.SESSION_CHECK_CACHE_SECONDS * 1000,
    );
  },
  authorize: (claims, c) => (claims.apiKey ? authorizeApiKey(claims.apiKey, c) : Promise.resolve()),
});
