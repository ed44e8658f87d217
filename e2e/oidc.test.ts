/**
 * "Sign in with Google" in a real browser on the real stack, against a real OpenID Provider:
 * oidc-provider on loopback (scripts/lib/oidc-provider.ts) stands in for Google — the edge's
 * OIDC_GOOGLE_* variables point at it — and Chromium clicks through its login and consent
 * pages. First sign-in picks a handle on /welcome; signing out and in again lands in the same
 * account; an address an account already has (verified) is linked only on /link-account with
 * that account's password. The pages run under the edge's CSP; any violation fails the test.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runD1, sqlString } from "../scripts/admin.ts";
import {
  type OidcAccountClaims,
  type RunningOidcProvider,
  startOidcProvider,
} from "../scripts/lib/oidc-provider.ts";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  freePort,
  screenshotWidths,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
} from "./support.ts";

const ready = toolsAvailable("e2e oidc", { ffmpeg: true, chromium: true });

describe.skipIf(!ready)("Sign in with Google in Chromium (real stack, real OpenID Provider)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let provider: RunningOidcProvider;
  let browser: Browser;
  const cspViolations: string[] = [];
  const tag = randomBytes(3).toString("hex");
  // The provider's accounts: a newcomer, and someone whose address already has an account.
  const ana = { login: `ana-${tag}`, email: `ana.lima.${tag}@example.com`, name: "Ana Lima" };
  /** Read by the provider at each sign-in, so accounts can be added as the test goes. */
  const accounts: Record<string, OidcAccountClaims> = {
    [ana.login]: { email: ana.email, email_verified: true, name: ana.name },
  };

  const waitForAuthState = (p: Page, state: string) =>
    p.waitForSelector(`[data-testid=auth-nav][data-state=${state}]`, { timeout: 15_000 });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on("console", (msg) => {
      if (/Content.Security.Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    return { context, page };
  }

  /** On oidc-provider's development pages: sign in as `login` (any password) and consent. */
  async function throughProvider(page: Page, login: string) {
    await page.waitForURL(`${provider.issuer}/**`, { timeout: 15_000 });
    await page.fill("input[name=login]", login);
    await page.fill("input[name=password]", "any password at all");
    await page.click("button[type=submit]");
    await page.waitForSelector("input[name=prompt][value=consent]", { state: "attached", timeout: 15_000 });
    await page.click("button[type=submit]");
  }

  beforeAll(async () => {
    const port = await freePort();
    const client = { clientId: "streamline-e2e", clientSecret: randomBytes(24).toString("hex") };
    provider = await startOidcProvider({
      clients: [{ ...client, redirectUris: [`http://127.0.0.1:${port}/api/auth/oidc/google/callback`] }],
      accounts,
    });
    stack = await startE2EStack({
      port,
      edgeVars: {
        OIDC_GOOGLE_ISSUER: provider.issuer,
        OIDC_GOOGLE_CLIENT_ID: client.clientId,
        OIDC_GOOGLE_CLIENT_SECRET: client.clientSecret,
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await provider?.close();
    expect(cspViolations).toEqual([]);
  });

  it("first sign-in: the button, the provider's pages, a handle on /welcome, signed in", async () => {
    const { page } = await newPage();
    await page.goto(`${stack.origin}/login?next=%2Fupload`);
    const button = page.locator("[data-testid=oidc-google]");
    await button.waitFor({ state: "visible", timeout: 15_000 });
    expect((await button.textContent())?.trim()).toBe("Sign in with Google");
    await screenshotWidths(page, "login-with-google");

    await button.click();
    await throughProvider(page, ana.login);
    await page.waitForURL(`${stack.origin}/welcome`, { timeout: 15_000 });
    await page.waitForSelector("[data-testid=welcome][data-state=ready]");
    expect(await page.locator("[data-testid=welcome-email]").textContent()).toBe(ana.email);
    expect(await page.inputValue("[data-testid=welcome-handle]")).toBe("ana-lima");
    await screenshotWidths(page, "oidc-welcome");

    await page.fill("[data-testid=welcome-handle]", "x");
    await page.click("[data-testid=welcome-submit]");
    await page.waitForSelector("[data-testid=welcome-handle-error]:not([hidden])");
    await page.fill("[data-testid=welcome-handle]", `ana-${tag}`);
    await page.click("[data-testid=welcome-submit]");
    await page.waitForURL(`${stack.origin}/upload`, { timeout: 15_000 });
    await waitForAuthState(page, "signed-in");
    expect(await page.locator("[data-testid=nav-user]").textContent()).toBe(`@ana-${tag}`);

    // Sign out, sign in again with Google: the same account, no handle page this time.
    await page.click("[data-testid=account-menu-button]"); // Log out is in the account menu
    await page.click("[data-testid=nav-logout]");
    await waitForAuthState(page, "anonymous");
    await page.goto(`${stack.origin}/login`);
    await page.click("[data-testid=oidc-google]");
    // The provider remembers its own session and the consent: it may answer at once.
    await page.waitForURL((url) => url.origin === stack.origin && url.pathname === "/", { timeout: 20_000 });
    await waitForAuthState(page, "signed-in");
    expect(await page.locator("[data-testid=nav-user]").textContent()).toBe(`@ana-${tag}`);

    // Settings list Google; with no password there is nothing to fall back on, so no unlink
    // (the API's 409 password_required is tested in edge/src/features/oidc/oidc.test.ts).
    await page.goto(`${stack.origin}/account`);
    await page.waitForSelector("[data-testid=linked-accounts][data-state=linked]", { timeout: 15_000 });
    expect(await page.locator("[data-testid=identity]").count()).toBe(1);
    expect(await page.locator("[data-testid=no-password]").isVisible()).toBe(true);
    expect(await page.locator("[data-testid=no-password]").textContent()).toMatch(/first set a password/);
    expect(await page.locator("[data-testid=unlink-identity]").isDisabled()).toBe(true);
    await screenshotWidths(page, "account-linked-accounts");
  });

  it("an address with a verified account: linked only with that account's password (/link-account)", async () => {
    const bob = await signUpViaApi(stack.origin, "bob");
    const login = `bob-${tag}`;
    // Bob's Google account has the address of his password account, which he verified.
    accounts[login] = { email: bob.email, email_verified: true, name: "Bob" };
    runD1(`update users set email_verified_at = ${Date.now()} where id = ${sqlString(bob.userId)}`, {
      remote: false,
      persistTo: join(stack.dataDir, "wrangler"),
    });
    const { page } = await newPage();
    await page.goto(`${stack.origin}/signup`);
    await page.click("[data-testid=oidc-google]");
    await throughProvider(page, login);
    await page.waitForURL(`${stack.origin}/link-account`, { timeout: 15_000 });
    await page.waitForSelector("[data-testid=link-account][data-state=ready]");
    expect(await page.locator("[data-testid=link-email]").textContent()).toBe(bob.email);
    await screenshotWidths(page, "oidc-link-account");

    await page.fill("[data-testid=link-password]", "not the right password");
    await page.click("[data-testid=link-submit]");
    await page.waitForSelector("[data-testid=link-password-error]:not([hidden])");
    await page.fill("[data-testid=link-password]", bob.password);
    await page.click("[data-testid=link-submit]");
    await page.waitForURL(`${stack.origin}/`, { timeout: 15_000 });
    await waitForAuthState(page, "signed-in");
    expect(await page.locator("[data-testid=nav-user]").textContent()).toBe(`@${bob.handle}`);

    // It has a password, so Google can be unlinked from settings.
    await page.goto(`${stack.origin}/account`);
    await page.waitForSelector("[data-testid=linked-accounts][data-state=linked]", { timeout: 15_000 });
    await page.click("[data-testid=unlink-identity]");
    await page.waitForSelector("[data-testid=linked-accounts][data-state=none]");
    await page.locator("[data-testid=link-google]").waitFor({ state: "visible" });
  });

  it("a refused sign-in reads as a sentence on /login; the follow-up pages say when nothing is pending", async () => {
    const { page } = await newPage();
    await page.goto(`${stack.origin}/login?error=oidc_state`);
    await page.waitForSelector("[data-testid=login-error]:not([hidden])");
    expect(await page.locator("[data-testid=login-error]").textContent()).toMatch(
      /expired or was started in another browser/,
    );
    expect(new URL(page.url()).search).toBe("");

    // The follow-up pages with nothing pending (expired, used, or opened directly) say so.
    await page.goto(`${stack.origin}/welcome`);
    await page.waitForSelector("[data-testid=welcome][data-state=expired]");
    expect(await page.locator("[data-testid=welcome-expired]").isVisible()).toBe(true);
    expect(await page.locator("[data-testid=welcome-form]").isVisible()).toBe(false);
    await screenshotWidths(page, "oidc-welcome-expired");
    await page.goto(`${stack.origin}/link-account`);
    await page.waitForSelector("[data-testid=link-account][data-state=expired]");
    expect(await page.locator("[data-testid=link-expired]").isVisible()).toBe(true);
  });
});
