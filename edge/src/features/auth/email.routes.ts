/**
 * `/api/auth/email/*` and `/api/auth/password/*`: verification and reset links (ADR 0014).
 * Mail goes out after the response; forgot answers the same 202 for every address.
 */
import { createRoute } from "@hono/zod-openapi";
import {
  EmailVerified,
  ForgotPasswordBody,
  MailAccepted,
  ResetPasswordBody,
  VerifyEmailBody,
} from "@streamline/contracts";
import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";
import { clientInfo } from "../../lib/client-info.ts";
import { AppError } from "../../lib/errors.ts";
import { BEARER, errorDoc, errors, json, jsonBody, openApiRouter } from "../../lib/openapi.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { enforceRateLimit, rateLimit } from "../../middleware/rate-limit/index.ts";
import { sendInBackground } from "../mail/mailer.ts";
import { requireAuth } from "./auth.middleware.ts";
import { EmailFlows } from "./email-flows.ts";
import { UsersRepo } from "./users.repo.ts";

const tags = ["auth"];
const TOKEN = "Vq3rT0e8XcJ2mQ9sLw4uYb7nKd1fHg6aPz5iRx0oEy8";
const perIp = (action: string) =>
  rateLimit("RL_AUTH_IP", (c) => `${action}:${clientInfo(c.req.raw).rateKey}`);
const badToken = (description: string) =>
  errorDoc(400, {
    code: "token_expired",
    message: "this link has expired; ask for a new one",
    description: `${description}; also \`token_used\` (the link worked once already), \`token_invalid\``,
  });

/** Links point at the configured site origin, else this request's (Workers route by host). */
export function linkOrigin(c: Context<AppEnv>): string {
  return c.var.services.config.SITE_ORIGIN[0] ?? new URL(c.req.url).origin;
}

function accepted(flows: EmailFlows, message: string): MailAccepted {
  const delivery = flows.delivery;
  return {
    status: "accepted",
    delivery,
    message:
      delivery === "smtp"
        ? message
        : "this server has no mail delivery configured (SMTP_URL); the mail only reaches the operator's log",
  };
}

const verify = createRoute({
  method: "post",
  path: "/email/verify",
  tags,
  summary: "Confirm an email address with the mailed link's token",
  middleware: [perIp("verify")] as const,
  request: { body: jsonBody(VerifyEmailBody, { token: TOKEN }) },
  responses: {
    200: json(EmailVerified, "The address is verified", { emailVerified: true }),
    400: badToken("Invalid body or link"),
    ...errors(413, 415, 429),
  },
});

const resend = createRoute({
  method: "post",
  path: "/email/resend",
  tags,
  summary: "Mail the caller a new verification link",
  description: `At most ${3} mails per address per hour (more answer 202 and send nothing); \`RL_AUTH_IP\` per user per minute.`,
  security: BEARER,
  middleware: [requireAuth()] as const,
  responses: {
    202: json(MailAccepted, "A link is on its way (at most 3 per address per hour)", {
      status: "accepted",
      delivery: "smtp",
      message: "check your inbox",
    }),
    409: errorDoc(409, {
      code: "already_verified",
      message: "this address is verified already",
      description: "The caller's address is verified already; nothing is sent",
    }),
    ...errors(401, 429),
  },
});

const forgot = createRoute({
  method: "post",
  path: "/password/forgot",
  tags,
  summary: "Mail a password reset link (202 always)",
  description:
    "The same 202 body, in the same time, whether or not the address has an account: the lookup and the mail run " +
    "after the response. The link works once, for 30 minutes. At most 3 mails per address per hour.",
  middleware: [perIp("forgot")] as const,
  request: { body: jsonBody(ForgotPasswordBody, { email: "ana@example.com" }) },
  responses: {
    202: json(MailAccepted, "Accepted", {
      status: "accepted",
      delivery: "smtp",
      message: "if an account uses this address, a reset link is on its way",
    }),
    ...errors(400, 413, 415, 429),
  },
});

const reset = createRoute({
  method: "post",
  path: "/password/reset",
  tags,
  summary: "Set a new password with the mailed link's token; signs out every session",
  middleware: [perIp("reset")] as const,
  request: { body: jsonBody(ResetPasswordBody, { token: TOKEN, password: "a new long passphrase" }) },
  responses: {
    204: { description: "Password changed; every session of the account is revoked" },
    400: badToken("Invalid body, weak password (`validation_failed`) or link"),
    ...errors(413, 415, 429),
  },
});

const router = openApiRouter();
router.use(async (c, next) => {
  await next();
  c.header("cache-control", "no-store");
});

export const emailRoutes = router
  .openapi(verify, async (c) => {
    await EmailFlows.from(c.var.services).verify(c.req.valid("json").token);
    return c.json({ emailVerified: true as const }, 200);
  })
  .openapi(resend, async (c) => {
    const userId = currentUserId(c);
    await enforceRateLimit(c.env, "RL_AUTH_IP", `resend:${userId}`);
    // The caller's own account: saying it is verified already tells nobody else anything.
    const user = await new UsersRepo(c.var.services.db).find(userId);
    if (user && user.emailVerifiedAt !== null) {
      throw new AppError(409, "already_verified", "this address is verified already");
    }
    const flows = EmailFlows.from(c.var.services);
    const origin = linkOrigin(c);
    if (user) sendInBackground(c.executionCtx, "verification", () => flows.sendVerification(user, origin));
    return c.json(accepted(flows, "check your inbox for a new link"), 202);
  })
  .openapi(forgot, async (c) => {
    const { email } = c.req.valid("json");
    const flows = EmailFlows.from(c.var.services);
    const origin = linkOrigin(c);
    sendInBackground(c.executionCtx, "password reset", () => flows.sendReset(email, origin));
    return c.json(accepted(flows, "if an account uses this address, a reset link is on its way"), 202);
  })
  .openapi(reset, async (c) => {
    const { token, password } = c.req.valid("json");
    await EmailFlows.from(c.var.services).reset(token, password);
    return c.body(null, 204);
  });
