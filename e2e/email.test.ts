/**
 * Verification and password reset in a real browser on the real stack, with every mail sent
 * by the Worker over SMTP to the real local sink (`mailSink`) and read back from the sink's
 * HTTP listing: the link in the mail is what Chromium opens. The stack runs with
 * REQUIRE_EMAIL_VERIFICATION=true, so the upload page's refusal and its resend path are
 * tested here too (the `false` side: e2e/auth.test.ts uploads from an unverified account).
 * The pages run under the edge's CSP; any violation fails the test.
 */
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runD1, sqlString } from "../scripts/admin.ts";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  E2E_PASSWORD,
  screenshotWidths,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
} from "./support.ts";

const ready = toolsAvailable("e2e email", { ffmpeg: true, chromium: true });

interface CaughtMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

const VERIFY_SUBJECT = "Confirm your email address";
const RESET_SUBJECT = "Reset your password";
const NEW_PASSWORD = "a brand new long passphrase";

describe.skipIf(!ready)("email verification and password reset in Chromium (real stack, real SMTP)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];
  const handle = `mail_${Date.now().toString(36)}`;
  const email = `${handle}@example.com`;
  let verifyLink = "";

  const waitForAuthState = (state: string, p: Page = page) =>
    p.waitForSelector(`[data-testid=auth-nav][data-state=${state}]`, { timeout: 15_000 });

  function watch(p: Page) {
    p.on("console", (msg) => {
      if (/Content.Security.Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
  }

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    watch(p);
    return { context: ctx, page: p };
  }

  async function mailsTo(address: string): Promise<CaughtMail[]> {
    const res = await fetch(`${stack.mailSinkUrl}/mails?to=${encodeURIComponent(address)}`);
    return ((await res.json()) as { mails: CaughtMail[] }).mails;
  }

  /** Waits for the `count`-th mail with this subject to `address`; returns the newest. */
  function mailTo(address: string, subject: string, count = 1): Promise<CaughtMail> {
    return vi.waitFor(
      async () => {
        const mails = (await mailsTo(address)).filter((m) => m.subject === subject);
        if (mails.length < count)
          throw new Error(`${mails.length}/${count} "${subject}" mails to ${address}`);
        return mails[0]!;
      },
      { timeout: 20_000, interval: 200 },
    );
  }

  function linkIn(mail: CaughtMail, path: string): string {
    const found = new RegExp(`${stack.origin}/${path}\\?token=[A-Za-z0-9_-]{43}`).exec(mail.text);
    if (!found) throw new Error(`no ${path} link in: ${mail.text}`);
    // The HTML part carries the same link.
    expect(mail.html).toContain(found[0]);
    return found[0];
  }

  async function logIn(p: Page, address: string, password: string) {
    await p.goto(`${stack.origin}/login`);
    await p.fill("[data-testid=login-email]", address);
    await p.fill("[data-testid=login-password]", password);
    await p.click("[data-testid=login-submit]");
  }

  beforeAll(async () => {
    // A private copy of the build global-setup made: another `astro build` must not swap it mid-run.
    stack = await startE2EStack({
      mailSink: {},
      edgeVars: { REQUIRE_EMAIL_VERIFICATION: "true" },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    ({ page } = await newPage());
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("signup mails a verification link over SMTP; /account says not verified, with a resend banner", async () => {
    await page.goto(`${stack.origin}/signup`);
    await page.fill("[data-testid=signup-email]", email);
    await page.fill("[data-testid=signup-handle]", handle);
    await page.fill("[data-testid=signup-password]", E2E_PASSWORD);
    await page.click("[data-testid=signup-submit]");
    await page.waitForURL(`${stack.origin}/`);
    await waitForAuthState("signed-in");

    const mail = await mailTo(email, VERIFY_SUBJECT);
    expect(mail.to).toEqual([email]);
    verifyLink = linkIn(mail, "verify-email");

    await page.goto(`${stack.origin}/account`);
    await page.waitForSelector("[data-testid=account][data-state=ready]");
    expect(await page.locator("[data-testid=email-status]").textContent()).toBe("Not verified");
    await page.waitForSelector("[data-testid=email-unverified-banner]");
    await screenshotWidths(page, "account-email-unverified");
  });

  it("the mailed link verifies: token out of the address bar, no Referer sent, /account says verified", async () => {
    const referers: Promise<string | undefined>[] = [];
    const onRequest = (req: import("playwright-core").Request) =>
      referers.push(req.allHeaders().then((h) => h.referer));
    page.on("request", onRequest);
    const res = await page.goto(verifyLink);
    expect(res!.headers()["referrer-policy"]).toBe("no-referrer");
    await page.waitForSelector("[data-testid=verify-email][data-state=verified]");
    page.off("request", onRequest);
    expect(await page.locator("[data-testid=verify-title]").textContent()).toBe("Your email is verified");
    expect(page.url()).toBe(`${stack.origin}/verify-email`);
    // Nothing the page loaded or called (scripts, styles, the API) was told its URL: the
    // token never left. (A module's own imports name that module, per spec; no token there.)
    expect(referers.length).toBeGreaterThan(2);
    const named = (await Promise.all(referers)).filter(
      (r) => r?.startsWith(`${stack.origin}/verify-email`) || r?.includes("token"),
    );
    expect(named).toEqual([]);
    await screenshotWidths(page, "verify-email-verified");

    await page.click("[data-testid=verify-account]");
    await page.waitForSelector("[data-testid=account][data-state=ready]");
    expect(await page.locator("[data-testid=email-status]").textContent()).toBe("Verified");
    expect(await page.locator("[data-testid=email-unverified-banner]").count()).toBe(0);
  });

  it("the same link again is refused as already used", async () => {
    await page.goto(verifyLink);
    await page.waitForSelector("[data-testid=verify-email][data-state=used]");
    expect(await page.locator("[data-testid=verify-title]").textContent()).toBe("This link was already used");
    // Signed in and verified: nothing to resend.
    expect(await page.locator("[data-testid=verify-message]").textContent()).toMatch(/verified already/);
    await screenshotWidths(page, "verify-email-used");
  });

  it("a mangled link, signed out: not valid, with a way to log in for a new one", async () => {
    const anon = await newPage();
    await anon.page.goto(`${stack.origin}/verify-email?token=${"A".repeat(43)}`);
    await anon.page.waitForSelector("[data-testid=verify-email][data-state=invalid]");
    expect(await anon.page.locator("[data-testid=verify-title]").textContent()).toBe(
      "This link is not valid",
    );
    expect(await anon.page.locator("[data-testid=verify-login]").getAttribute("href")).toBe(
      "/login?next=%2Faccount",
    );
    await screenshotWidths(anon.page, "verify-email-invalid");
    await anon.context.close();
  });

  it("forgot password: the same answer for an unknown address and for the account, and only the account gets mail", async () => {
    const anon = await newPage();
    await anon.page.goto(`${stack.origin}/login`);
    await anon.page.click("[data-testid=forgot-password-link]");
    await anon.page.waitForSelector("[data-testid=forgot-password][data-state=ready]");
    await screenshotWidths(anon.page, "forgot-password");

    const sentFor = async (address: string) => {
      await anon.page.fill("[data-testid=forgot-email]", address);
      await anon.page.click("[data-testid=forgot-submit]");
      await anon.page.waitForSelector("[data-testid=forgot-password][data-state=sent]");
      const text = (await anon.page.locator("[data-testid=forgot-sent-message]").textContent()) ?? "";
      await anon.page.click("[data-testid=forgot-again]");
      return text.replace(address, "<address>");
    };
    const unknown = `nobody_${Date.now().toString(36)}@example.com`;
    const forUnknown = await sentFor(unknown);
    await anon.page.fill("[data-testid=forgot-email]", email);
    await anon.page.click("[data-testid=forgot-submit]");
    await anon.page.waitForSelector("[data-testid=forgot-password][data-state=sent]");
    await screenshotWidths(anon.page, "forgot-password-sent");
    const forAccount = (await anon.page.locator("[data-testid=forgot-sent-message]").textContent())!.replace(
      email,
      "<address>",
    );
    expect(forAccount).toBe(forUnknown);
    expect(forAccount).toMatch(/^If an account uses <address>, we sent it a link/);

    await mailTo(email, RESET_SUBJECT);
    // Proof the unknown address's background work ran and sent nothing: the account's mail,
    // asked for after it, has arrived.
    expect(await mailsTo(unknown)).toEqual([]);
    await anon.context.close();
  });

  it("reset: rules shown, mistakes explained, the new password works, every other session is signed out", async () => {
    // A second device signed in before the reset.
    const other = await newPage();
    await logIn(other.page, email, E2E_PASSWORD);
    await other.page.waitForURL(`${stack.origin}/`);
    await waitForAuthState("signed-in", other.page);

    const link = linkIn(await mailTo(email, RESET_SUBJECT), "reset-password");
    const anon = await newPage();
    const res = await anon.page.goto(link);
    expect(res!.headers()["referrer-policy"]).toBe("no-referrer");
    await anon.page.waitForSelector("[data-testid=reset-password][data-state=ready]");
    expect(anon.page.url()).toBe(`${stack.origin}/reset-password`);
    expect(await anon.page.locator("[data-testid=reset-rules]").textContent()).toMatch(
      /At least 10 characters/,
    );
    await screenshotWidths(anon.page, "reset-password");

    await anon.page.fill("[data-testid=reset-new-password]", NEW_PASSWORD);
    await anon.page.fill("[data-testid=reset-confirm]", `${NEW_PASSWORD}!`);
    await anon.page.click("[data-testid=reset-submit]");
    await anon.page.waitForSelector("[data-testid=reset-confirm-error]:not([hidden])");
    // A password the API refuses (too common) does not spend the link.
    await anon.page.fill("[data-testid=reset-new-password]", "1234567890");
    await anon.page.fill("[data-testid=reset-confirm]", "1234567890");
    await anon.page.click("[data-testid=reset-submit]");
    await anon.page.waitForSelector("[data-testid=reset-password-error]:not([hidden])");
    expect(await anon.page.locator("[data-testid=reset-password-error]").textContent()).toMatch(/too common/);

    await anon.page.fill("[data-testid=reset-new-password]", NEW_PASSWORD);
    await anon.page.fill("[data-testid=reset-confirm]", NEW_PASSWORD);
    await anon.page.click("[data-testid=reset-submit]");
    await anon.page.waitForURL(`${stack.origin}/login`);
    expect(await anon.page.locator("[data-testid=login-notice]").textContent()).toMatch(
      /every device was signed out/,
    );
    await screenshotWidths(anon.page, "login-after-reset");

    // Both devices signed in before are out: their refresh is refused.
    for (const p of [other.page, page]) {
      await p.reload();
      await waitForAuthState("anonymous", p);
    }
    await other.context.close();

    await anon.page.fill("[data-testid=login-email]", email);
    await anon.page.fill("[data-testid=login-password]", E2E_PASSWORD);
    await anon.page.click("[data-testid=login-submit]");
    await anon.page.waitForSelector("[data-testid=login-error]:not([hidden])");
    await anon.page.fill("[data-testid=login-password]", NEW_PASSWORD);
    await anon.page.click("[data-testid=login-submit]");
    await anon.page.waitForURL(`${stack.origin}/`);
    await waitForAuthState("signed-in", anon.page);

    // The link worked once.
    await anon.page.goto(link);
    await anon.page.fill("[data-testid=reset-new-password]", "yet another long passphrase");
    await anon.page.fill("[data-testid=reset-confirm]", "yet another long passphrase");
    await anon.page.click("[data-testid=reset-submit]");
    await anon.page.waitForSelector("[data-testid=reset-password][data-state=used]");
    expect(await anon.page.locator("[data-testid=reset-refused-title]").textContent()).toBe(
      "This link was already used",
    );
    await screenshotWidths(anon.page, "reset-password-used");
    await anon.context.close();
  });

  it("an expired reset link is refused and the password stays", async () => {
    const user = await signUpViaApi(stack.origin, "expiry");
    const anon = await newPage();
    await anon.page.goto(`${stack.origin}/forgot-password`);
    await anon.page.fill("[data-testid=forgot-email]", user.email);
    await anon.page.click("[data-testid=forgot-submit]");
    const link = linkIn(await mailTo(user.email, RESET_SUBJECT), "reset-password");
    // The 30 min lifetime is a constant (not configuration): age the stored token in the
    // stack's own D1, as an operator's `wrangler d1 execute` would.
    runD1(
      `update email_tokens set expires_at = 1 where user_id = ${sqlString(user.userId)} and purpose = 'reset_password'`,
      { remote: false, persistTo: join(stack.dataDir, "wrangler") },
    );
    await anon.page.goto(link);
    await anon.page.fill("[data-testid=reset-new-password]", NEW_PASSWORD);
    await anon.page.fill("[data-testid=reset-confirm]", NEW_PASSWORD);
    await anon.page.click("[data-testid=reset-submit]");
    await anon.page.waitForSelector("[data-testid=reset-password][data-state=expired]");
    expect(await anon.page.locator("[data-testid=reset-refused-message]").textContent()).toMatch(
      /30 minutes/,
    );
    await logIn(anon.page, user.email, user.password);
    await anon.page.waitForURL(`${stack.origin}/`);
    await anon.context.close();
  });

  it("REQUIRE_EMAIL_VERIFICATION: the upload page explains the refusal; resend mails a link; verified → uploads", async () => {
    const { "noaudio-640x360-4s.mp4": file } = await ensureFixtures(["noaudio-640x360-4s.mp4"]);
    const user = await signUpViaApi(stack.origin, "unverified");
    await mailTo(user.email, VERIFY_SUBJECT);
    const fresh = await newPage();
    await logIn(fresh.page, user.email, user.password);
    await fresh.page.waitForURL(`${stack.origin}/`);
    await fresh.page.goto(`${stack.origin}/upload`);
    await fresh.page.setInputFiles("[data-testid=file-input]", file!);
    await fresh.page.waitForSelector("[data-testid=start-upload]:not([disabled])");
    await fresh.page.click("[data-testid=start-upload]");
    await fresh.page.waitForSelector("[data-testid=upload][data-state=error]");
    expect(await fresh.page.locator("[data-testid=email-unverified]").textContent()).toMatch(
      /Confirm your email address first/,
    );
    await screenshotWidths(fresh.page, "upload-email-unverified");

    await fresh.page.click("[data-testid=resend-verification]");
    await fresh.page.waitForSelector("[data-testid=resend][data-state=sent]");
    const link = linkIn(await mailTo(user.email, VERIFY_SUBJECT, 2), "verify-email");
    await fresh.page.goto(link);
    await fresh.page.waitForSelector("[data-testid=verify-email][data-state=verified]");

    await fresh.page.goto(`${stack.origin}/upload`);
    await fresh.page.setInputFiles("[data-testid=file-input]", file!);
    await fresh.page.waitForSelector("[data-testid=start-upload]:not([disabled])");
    await fresh.page.click("[data-testid=start-upload]");
    await fresh.page.waitForSelector("[data-testid=upload][data-state=processing]", { timeout: 60_000 });
    await fresh.context.close();
  });

  it("/dev/mail shows every caught mail with its link clickable", async () => {
    const anon = await newPage();
    await anon.page.goto(`${stack.origin}/dev/mail`);
    const mails = anon.page.locator("[data-testid=dev-mail]");
    expect(await mails.count()).toBeGreaterThanOrEqual(5);
    const first = mails.first();
    expect(await first.locator("h2").textContent()).toMatch(/Confirm your email address|Reset your password/);
    expect(await first.locator("a").first().getAttribute("href")).toMatch(
      new RegExp(`^${stack.origin}/(verify-email|reset-password)\\?token=`),
    );
    await screenshotWidths(anon.page, "dev-mail");
    await anon.context.close();
  });

  it("saw no CSP violations on any page", () => {
    expect(cspViolations).toEqual([]);
  });
});
