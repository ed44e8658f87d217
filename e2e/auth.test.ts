/**
 * Accounts in a real browser on the real stack: sign up, stay signed in across a reload
 * (the HttpOnly refresh cookie, no token in storage), pages that need a user send
 * visitors to /login and back, log in, sign another device out, log out. The pages run
 * under the edge's CSP; any violation fails the test.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import { api, CHROMIUM, CHROMIUM_ARGS, E2E_PASSWORD, startE2EStack, toolsAvailable } from "./support.ts";

const ready = toolsAvailable("e2e auth", { ffmpeg: true, chromium: true });

describe.skipIf(!ready)("accounts in Chromium (real stack)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];
  const handle = `e2e_${Date.now().toString(36)}`;
  const email = `${handle}@example.com`;

  const authState = (p: Page = page) => p.locator("[data-testid=auth-nav]").getAttribute("data-state");
  const waitForAuthState = (state: string, p: Page = page) =>
    p.waitForSelector(`[data-testid=auth-nav][data-state=${state}]`, { timeout: 15_000 });

  function watch(p: Page) {
    p.on("console", (msg) => {
      if (/Content.Security.Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
  }

  beforeAll(async () => {
    stack = await startE2EStack();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext();
    page = await context.newPage();
    watch(page);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("pages carry the security headers", async () => {
    const res = await page.goto(`${stack.origin}/`);
    const headers = res!.headers();
    expect(headers["content-security-policy"]).toContain("media-src 'self' blob:");
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    await waitForAuthState("anonymous");
  });

  it("a page that needs a user sends an anonymous visitor to /login?next=… ", async () => {
    await page.goto(`${stack.origin}/upload`);
    await page.waitForURL(/\/login\?next=%2Fupload$/, { timeout: 15_000 });
  });

  it("signs up and lands back where it was going, signed in", async () => {
    await page.goto(`${stack.origin}/signup?next=%2Fupload`);
    await page.fill("[data-testid=signup-email]", email);
    await page.fill("[data-testid=signup-handle]", handle);
    await page.fill("[data-testid=signup-password]", "short");
    await page.click("[data-testid=signup-submit]");
    // The API's validation message shows next to the field.
    await page.waitForSelector("[data-testid=signup-error]:not([hidden])");
    expect(await page.locator("[data-role=password-error]").textContent()).toMatch(/at least 10/);

    await page.fill("[data-testid=signup-password]", E2E_PASSWORD);
    await page.click("[data-testid=signup-submit]");
    await page.waitForURL(`${stack.origin}/upload`, { timeout: 15_000 });
    await waitForAuthState("signed-in");
    expect(await page.locator("[data-testid=nav-user]").textContent()).toBe(`@${handle}`);

    const cookie = (await context.cookies()).find((c) => c.name === "sl_refresh");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/api/auth" });
  });

  it("stays signed in across a reload, with no token in any script-readable storage", async () => {
    await page.reload();
    await waitForAuthState("signed-in");
    expect(await page.locator("[data-testid=nav-user]").textContent()).toBe(`@${handle}`);
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie,
    );
    expect(stored).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/); // no JWT
    expect(stored).not.toContain("sl_refresh");
    // The upload page works as this user (the API accepted the in-memory token).
    expect(await page.locator("[data-testid=upload]").getAttribute("data-state")).not.toBe("error");
  });

  it("uploads from the page as this user: Bearer via the API client, part PUTs to S3 allowed by the CSP", async () => {
    const { "noaudio-640x360-4s.mp4": file } = await ensureFixtures(["noaudio-640x360-4s.mp4"]);
    await page.setInputFiles("[data-testid=file-input]", file);
    await page.waitForSelector("[data-testid=start-upload]:not([disabled])");
    await page.click("[data-testid=start-upload]");
    await page.waitForSelector("[data-testid=upload][data-state=processing]", { timeout: 60_000 });
    const videoId = await page.locator("[data-testid=upload]").getAttribute("data-video-id");
    expect(videoId).toMatch(/^v_/);
    // The video is this user's: anonymous callers can see it (public) but not touch it.
    const patch = await api(stack.origin, `/api/videos/${videoId}`, {
      method: "PATCH",
      json: { title: "x" },
    });
    expect(patch.status).toBe(401);
  });

  it("lists sessions and signs another device out", async () => {
    const phoneContext = await browser.newContext({
      userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/605.1.15",
    });
    const phone = await phoneContext.newPage();
    watch(phone);
    await phone.goto(`${stack.origin}/login`);
    await phone.fill("[data-testid=login-email]", email);
    await phone.fill("[data-testid=login-password]", E2E_PASSWORD);
    await phone.click("[data-testid=login-submit]");
    await phone.waitForURL(`${stack.origin}/`);
    await waitForAuthState("signed-in", phone);

    await page.goto(`${stack.origin}/account`);
    await page.waitForSelector("[data-testid=account][data-state=ready]");
    expect(await page.locator("[data-testid=account-email]").textContent()).toBe(email);
    const sessions = page.locator("[data-testid=session]");
    expect(await sessions.count()).toBe(2);
    expect(await page.locator("[data-testid=session][data-current=true]").count()).toBe(1);

    await page.click("[data-testid=sign-out-others]");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=session]").length === 1);

    await phone.reload();
    await waitForAuthState("anonymous", phone);
    await phoneContext.close();
  });

  it("logs out: the header flips, a reload stays signed out, and /upload asks for a login", async () => {
    await page.goto(`${stack.origin}/`);
    await waitForAuthState("signed-in");
    await page.click("[data-testid=account-menu-button]"); // Log out is in the account menu
    await page.click("[data-testid=nav-logout]");
    await page.waitForURL(`${stack.origin}/`);
    await waitForAuthState("anonymous");
    await page.reload();
    await waitForAuthState("anonymous");
    expect((await context.cookies()).find((c) => c.name === "sl_refresh")).toBeUndefined();
    await page.goto(`${stack.origin}/upload`);
    await page.waitForURL(/\/login\?next=%2Fupload$/, { timeout: 15_000 });
  });

  it("logs back in from the login page and returns to the page that asked", async () => {
    await page.fill("[data-testid=login-email]", email);
    await page.fill("[data-testid=login-password]", "wrong password!!");
    await page.click("[data-testid=login-submit]");
    await page.waitForSelector("[data-testid=login-error]:not([hidden])");
    expect(await page.locator("[data-testid=login-error]").textContent()).toContain(
      "Email or password is incorrect",
    );

    await page.fill("[data-testid=login-password]", E2E_PASSWORD);
    await page.click("[data-testid=login-submit]");
    await page.waitForURL(`${stack.origin}/upload`);
    await waitForAuthState("signed-in");
    await page.reload();
    await waitForAuthState("signed-in");
    expect(await authState()).toBe("signed-in");
  });

  it("saw no CSP violations on any page", () => {
    expect(cspViolations).toEqual([]);
  });
});
