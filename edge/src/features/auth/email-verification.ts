/**
 * `REQUIRE_EMAIL_VERIFICATION` (default false, as PeerTube's): when true, creating content
 * (uploads, posters, captions; comments later) needs a verified address — 403
 * `email_unverified` pointing to the resend path. Mount after the bearer check.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError } from "../../lib/errors.ts";
import { errorDoc } from "../../lib/openapi.ts";
import { UsersRepo } from "./users.repo.ts";

export const EMAIL_UNVERIFIED_MESSAGE =
  "confirm your email address first: open the link we mailed you, or ask for a new one (POST /api/auth/email/resend, or Account → resend the mail)";

export function requireVerifiedEmail(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { config, db } = c.var.services;
    if (config.REQUIRE_EMAIL_VERIFICATION && c.var.userId) {
      const user = await new UsersRepo(db).find(c.var.userId);
      if (!user || user.emailVerifiedAt === null)
        throw new AppError(403, "email_unverified", EMAIL_UNVERIFIED_MESSAGE);
    }
    await next();
  };
}

/** The 403 in the OpenAPI document of every route behind it. */
export const emailUnverifiedDoc = errorDoc(403, {
  code: "email_unverified",
  message: EMAIL_UNVERIFIED_MESSAGE,
  description: "REQUIRE_EMAIL_VERIFICATION is on and the caller's address is not verified",
});
