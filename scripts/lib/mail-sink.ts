/**
 * A local SMTP sink: catches every mail the edge sends (smtp-server on loopback), parses
 * it (mailparser) and keeps it in memory — and, when given a directory, as one JSON file
 * per mail — and lists the caught mails over a small HTTP API on another loopback port:
 *
 *   GET /mails[?to=<address>]   → { mails: [{ id, from, to, subject, text, html, date }] }, newest first
 *   DELETE /mails               → forget every mail
 *
 * `npm run dev` points the edge's SMTP_URL at it and the edge's `/dev/mail` page reads the
 * list (DEV_MAIL_URL); the edge tests and e2e tests use it as the real SMTP server. It
 * never relays anything anywhere. With `auth`, the SMTP side requires AUTH PLAIN/LOGIN
 * with that user and password (so the client's credential handling is tested too).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface CaughtMail {
  id: string;
  /** Envelope sender and recipients (what the client said in MAIL FROM / RCPT TO). */
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** When the sink received it (ISO). */
  date: string;
  /** The From header as written by the sender. */
  headerFrom: string;
}

export interface MailSinkOptions {
  /** SMTP port (0 = any free port). */
  smtpPort?: number;
  /** HTTP listing port (0 = any free port). */
  httpPort?: number;
  /** Also write each mail as `<id>.json` here. */
  directory?: string;
  auth?: { user: string; pass: string };
  /** Keep at most this many mails in memory (oldest dropped). */
  max?: number;
}

export interface RunningMailSink {
  /** `smtp://[user:pass@]127.0.0.1:<port>` — what SMTP_URL is set to. */
  smtpUrl: string;
  /** `http://127.0.0.1:<port>` — the listing (DEV_MAIL_URL). */
  httpUrl: string;
  mails(): CaughtMail[];
  close(): Promise<void>;
}

const listen = (server: { listen: (port: number, host: string, cb: () => void) => unknown }, port: number) =>
  new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));

function smtpSide(opts: MailSinkOptions, store: (mail: CaughtMail) => void): SMTPServer {
  let counter = 0;
  return new SMTPServer({
    // Loopback only, no certificate: no STARTTLS; AUTH only when credentials are required.
    disabledCommands: opts.auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authMethods: ["PLAIN", "LOGIN"],
    allowInsecureAuth: true,
    size: 1024 * 1024,
    logger: false,
    onAuth(auth, _session, callback) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) {
        callback(null, { user: auth.username });
      } else callback(new Error("invalid username or password"));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          counter += 1;
          store({
            id: `${Date.now().toString(36)}-${counter}`,
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
            html: typeof parsed.html === "string" ? parsed.html : "",
            date: new Date().toISOString(),
            headerFrom: parsed.from?.text ?? "",
          });
          callback();
        })
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
    },
  });
}

function httpSide(list: () => CaughtMail[], clear: () => void): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== "/mails") return send(404, { error: "not found" });
    if (req.method === "DELETE") {
      clear();
      return send(200, { mails: [] });
    }
    const to = url.searchParams.get("to")?.toLowerCase();
    const mails = list().filter((m) => !to || m.to.some((a) => a.toLowerCase() === to));
    send(200, { mails: [...mails].reverse() });
  });
}

export async function startMailSink(opts: MailSinkOptions = {}): Promise<RunningMailSink> {
  let mails: CaughtMail[] = [];
  const max = opts.max ?? 500;
  if (opts.directory) mkdirSync(opts.directory, { recursive: true });
  const smtp = smtpSide(opts, (mail) => {
    mails.push(mail);
    if (mails.length > max) mails = mails.slice(-max);
    if (opts.directory) {
      writeFileSync(join(opts.directory, `${mail.id}.json`), JSON.stringify(mail, null, 2), { mode: 0o600 });
    }
  });
  const http = httpSide(
    () => mails,
    () => {
      mails = [];
    },
  );
  // A client dropping its connection (an isolate torn down mid-send) must not crash the sink.
  smtp.on("error", (err: Error) => console.warn(`mail sink: ${err.message}`));
  await listen(smtp, opts.smtpPort ?? 0);
  await listen(http, opts.httpPort ?? 0);
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const httpPort = (http.address() as AddressInfo).port;
  const credentials = opts.auth
    ? `${encodeURIComponent(opts.auth.user)}:${encodeURIComponent(opts.auth.pass)}@`
    : "";
  return {
    smtpUrl: `smtp://${credentials}127.0.0.1:${smtpPort}`,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    mails: () => [...mails],
    close: async () => {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
