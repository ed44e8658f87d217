/**
 * Outgoing mail. One interface, two implementations chosen by config: SMTP over a TCP
 * socket from the Worker (`cloudflare:sockets` through worker-mailer) when `SMTP_URL` is
 * set, else the Worker log (development without a mail server: the features that need
 * mail say so through `mailDelivery`). Sending never runs on a request's critical path
 * and its failure never reaches the requester: `sendInBackground` hands the work to
 * `ctx.waitUntil` and logs what went wrong (ADR 0014).
 */
import { LogLevel, WorkerMailer } from "worker-mailer";
import { errorMessage, log } from "../../lib/log.ts";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** `smtp` delivers; `log` only writes the mail to the Worker log. */
  readonly delivery: "smtp" | "log";
  send(message: MailMessage): Promise<void>;
}

export interface SmtpTarget {
  host: string;
  port: number;
  secure: boolean;
  username?: string;
  password?: string;
}

/** `smtp://user:pass@host:port` (STARTTLS when offered; default port 587) or `smtps://…` (TLS; 465). */
export function parseSmtpUrl(value: string): SmtpTarget {
  const url = new URL(value);
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new Error("SMTP_URL must start with smtp:// or smtps://");
  }
  if (!url.hostname) throw new Error("SMTP_URL has no host");
  const secure = url.protocol === "smtps:";
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}

/** Subjects and addresses go into headers: a line break there would start a new header. */
function assertHeaderSafe(value: string, what: string) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`mail ${what} contains a control character`);
}

const SMTP_TIMEOUT_MS = 15_000;

/** `Name <address>` or a bare address → worker-mailer's `{ name?, email }` (the envelope takes the address). */
export function parseSender(from: string): { name?: string; email: string } {
  const m = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  if (m) return m[1] ? { name: m[1].replace(/^"(.*)"$/, "$1"), email: m[2]! } : { email: m[2]! };
  return { email: from.trim() };
}

export function smtpMailer(target: SmtpTarget, fromHeader: string): Mailer {
  assertHeaderSafe(fromHeader, "sender");
  const from = parseSender(fromHeader);
  return {
    delivery: "smtp",
    async send(message) {
      assertHeaderSafe(message.to, "recipient");
      assertHeaderSafe(message.subject, "subject");
      const credentials =
        target.username !== undefined
          ? { username: target.username, password: target.password ?? "" }
          : undefined;
      const mailer = await WorkerMailer.connect({
        host: target.host,
        port: target.port,
        secure: target.secure,
        startTls: !target.secure,
        ...(credentials ? { credentials, authType: ["plain", "login"] as const } : {}),
        logLevel: LogLevel.WARN,
        socketTimeoutMs: SMTP_TIMEOUT_MS,
        responseTimeoutMs: SMTP_TIMEOUT_MS,
      });
      try {
        await mailer.send({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
        });
      } finally {
        // WorkerMailer.send() leaves the socket open when sending fails; always close it.
        await mailer.close();
      }
    },
  };
}

/** No SMTP server configured: the mail goes to the Worker log, where a developer can read the link. */
export function logMailer(
  write: (line: string) => void = (text) => log.info("mail not delivered (no SMTP_URL set)", { text }),
): Mailer {
  return {
    delivery: "log",
    async send(message) {
      write(`mail (no SMTP_URL set, not delivered) to ${message.to}: ${message.subject}\n${message.text}`);
    },
  };
}

export function mailerFor(config: { SMTP_URL?: string | undefined; MAIL_FROM: string }): Mailer {
  return config.SMTP_URL ? smtpMailer(parseSmtpUrl(config.SMTP_URL), config.MAIL_FROM) : logMailer();
}

/** Something that keeps the isolate alive for background work (the request's ExecutionContext). */
export interface Background {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * Runs `work` (which may look things up and then send) after the response: its outcome —
 * success, no account, a refused or unreachable server — is logged, never returned.
 */
export function sendInBackground(background: Background, label: string, work: () => Promise<unknown>): void {
  background.waitUntil(
    work().catch((err: unknown) => {
      log.error("mail failed", { mail: label, error: errorMessage(err) });
    }),
  );
}
