/** `/dev/mail`: the caught mails on a development stack; a 404 anywhere else. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ORIGIN } from "../../../test/http.ts";
import { app } from "../../app.ts";
import { mailerFor } from "./mailer.ts";
import { caughtMails } from "./test-sink.ts";

const SMTP_URL = (env as unknown as { SMTP_URL: string }).SMTP_URL;
const get = (path: string, extra: Record<string, string | undefined> = {}) =>
  app.fetch(new Request(`${ORIGIN}${path}`), { ...env, ...extra });

describe("/dev/mail", () => {
  it("development (DEV_MAIL_URL on loopback): lists the caught mails, escaped, links clickable", async () => {
    const to = `dev-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await mailerFor({ SMTP_URL, MAIL_FROM: "no-reply@streamline.test" }).send({
      to,
      subject: "<b>Hi</b>",
      text: "open http://127.0.0.1:8787/verify-email?token=abc now",
      html: "",
    });
    await caughtMails(to, 1);
    const dev = { DEV_MAIL_URL: env.MAIL_SINK_URL };
    const api = await get("/api/dev/mail", dev);
    expect(api.status).toBe(200);
    const { mails } = (await api.json()) as { mails: { to: string[]; subject: string }[] };
    expect(mails.find((m) => m.to.includes(to))?.subject).toBe("<b>Hi</b>");

    const pageRes = await get("/dev/mail", dev);
    expect(pageRes.status).toBe(200);
    const html = await pageRes.text();
    expect(html).toContain("&#60;b&#62;Hi&#60;/b&#62;");
    expect(html).not.toContain("<b>Hi</b>");
    expect(html).toContain('<a href="http://127.0.0.1:8787/verify-email?token=abc">');
  });

  it("development with the sink not answering: a readable 503 (page and API), not a 500", async () => {
    // A loopback port nothing listens on (the discard port).
    const dev = { DEV_MAIL_URL: "http://127.0.0.1:9" };
    const api = await get("/api/dev/mail", dev);
    expect(api.status).toBe(503);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("mail_sink_unavailable");
    const pageRes = await get("/dev/mail", dev);
    expect(pageRes.status).toBe(503);
    expect(await pageRes.text()).toContain("The local mail sink at http://127.0.0.1:9 is not answering");
  });

  it("the page trims each mail's text and links back to the site", async () => {
    const to = `trim-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await mailerFor({ SMTP_URL, MAIL_FROM: "no-reply@streamline.test" }).send({
      to,
      subject: "Trailing",
      text: "body line\n\n\n",
      html: "",
    });
    await caughtMails(to, 1);
    const html = await (await get("/dev/mail", { DEV_MAIL_URL: env.MAIL_SINK_URL })).text();
    expect(html).toContain("<pre>body line</pre>");
    expect(html).toContain('<a href="/">');
  });

  it("production (no DEV_MAIL_URL, or one off loopback): both paths are 404", async () => {
    for (const extra of [{ DEV_MAIL_URL: undefined }, { DEV_MAIL_URL: "http://mail.example.com:8025" }]) {
      expect((await get("/api/dev/mail", extra)).status).toBe(404);
      const pageRes = await get("/dev/mail", extra);
      expect(pageRes.status).toBe(404);
      // The site's own 404 page (the test SITE Worker echoes the path it was asked for).
      expect(await pageRes.text()).toBe("site:/__no-such-page__");
    }
  });
});
