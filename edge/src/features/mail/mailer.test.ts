/** The SMTP mailer from inside workerd to a real SMTP server on loopback (edge/test/mail-setup.ts). */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { logMailer, mailerFor, parseSender, parseSmtpUrl, smtpMailer } from "./mailer.ts";
import { caughtMails } from "./test-sink.ts";

const SMTP_URL = (env as unknown as { SMTP_URL: string }).SMTP_URL;

describe("mailer", () => {
  it("delivers text + HTML over SMTP with AUTH from SMTP_URL", async () => {
    const to = `probe-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await mailerFor({ SMTP_URL, MAIL_FROM: "Streamline <no-reply@streamline.test>" }).send({
      to,
      subject: "Hello ✓",
      text: "text body https://x.test/?a=1",
      html: "<p>html body</p>",
    });
    const [mail] = await caughtMails(to, 1);
    expect(mail).toMatchObject({
      from: "no-reply@streamline.test",
      to: [to],
      subject: "Hello ✓",
      headerFrom: '"Streamline" <no-reply@streamline.test>',
    });
    expect(mail!.text.trim()).toBe("text body https://x.test/?a=1");
    expect(mail!.html).toContain("<p>html body</p>");
  });

  it("fails (for the caller to log) on wrong credentials or a closed port", async () => {
    const target = parseSmtpUrl(SMTP_URL);
    const wrong = smtpMailer({ ...target, password: "nope" }, "a@streamline.test");
    await expect(wrong.send({ to: "x@example.com", subject: "s", text: "t", html: "h" })).rejects.toThrow(
      /authentication/i,
    );
    const closed = smtpMailer({ host: "127.0.0.1", port: 1, secure: false }, "a@streamline.test");
    await expect(closed.send({ to: "x@example.com", subject: "s", text: "t", html: "h" })).rejects.toThrow();
  });

  it("refuses header injection through subject or recipient", async () => {
    const m = smtpMailer(parseSmtpUrl(SMTP_URL), "a@streamline.test");
    await expect(
      m.send({ to: "x@example.com", subject: "a\r\nBcc: y@example.com", text: "t", html: "h" }),
    ).rejects.toThrow(/control character/);
  });

  it("parses SMTP_URL and MAIL_FROM; no SMTP_URL → the log mailer", () => {
    expect(parseSmtpUrl("smtps://u%40x:p%3Aw@mail.example.com")).toEqual({
      host: "mail.example.com",
      port: 465,
      secure: true,
      username: "u@x",
      password: "p:w",
    });
    expect(parseSmtpUrl("smtp://mail.example.com:2525")).toMatchObject({ port: 2525, secure: false });
    expect(() => parseSmtpUrl("http://mail.example.com")).toThrow(/smtp:\/\//);
    expect(parseSender("a@b.test")).toEqual({ email: "a@b.test" });
    expect(parseSender('"Stream Line" <a@b.test>')).toEqual({ name: "Stream Line", email: "a@b.test" });
    expect(mailerFor({ MAIL_FROM: "a@b.test" }).delivery).toBe("log");
    const lines: string[] = [];
    void logMailer((l) => lines.push(l)).send({ to: "x@example.com", subject: "S", text: "link", html: "" });
    expect(lines[0]).toMatch(/not delivered.*x@example\.com: S\nlink/s);
  });
});
