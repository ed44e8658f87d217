/** Email verification and password reset bodies (ADR 0014). */
import { z } from "zod";
import { Email, Password } from "./api.ts";

/** A mailed single-use token (43 base64url characters); anything else is refused by shape. */
export const MailToken = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{20,100}$/, "not a valid link token");

export const VerifyEmailBody = z.object({ token: MailToken });
export const ForgotPasswordBody = z.object({ email: Email });
export const ResetPasswordBody = z.object({ token: MailToken, password: Password });
export type ForgotPasswordBody = z.infer<typeof ForgotPasswordBody>;

/** 202 of forgot and resend: the same body whether or not the address has an account. */
export const MailAccepted = z.object({
  status: z.literal("accepted"),
  /** `log`: this server has no SMTP_URL, the mail only reaches the operator's log. */
  delivery: z.enum(["smtp", "log"]),
  message: z.string(),
});
export type MailAccepted = z.infer<typeof MailAccepted>;

export const EmailVerified = z.object({ emailVerified: z.literal(true) });
