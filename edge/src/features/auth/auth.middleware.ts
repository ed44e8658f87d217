/**
 * The API's bearer authentication, wired: the generic middleware (middleware/auth) with
 * this feature's access-token check and the sessions feature's revocation check (ADR 0004).
 */
import { bearerAuth } from "../../middleware/auth/index.ts";
import { verifyAccessToken } from "./access-token.ts";
import { isSessionLive } from "./session-status.ts";
import { SessionsRepo } from "./sessions.repo.ts";

export const { authenticate, requireAuth, optionalAuth } = bearerAuth({
  verifyToken: (token, c) => verifyAccessToken(c.var.services.config.JWT_SECRET, token),
  isSessionLive: (claims, c) => {
    const { db, config } = c.var.services;
    return isSessionLive(
      new SessionsRepo(db),
      claims.sessionId,
      claims.userId,
      config.SESSION_CHECK_CACHE_SECONDS * 1000,
    );
  },
});
