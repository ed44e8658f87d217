/**
 * Moderation on the real stack in Chromium (ADR 0024), one stack for the file: a creator
 * starts an upload and comments on it; a viewer reports the comment from
 * the watch page's Report dialog; a moderator (granted by the operator command) removes it
 * from /admin with a note; the audit log shows the action; the creator's bell shows the
 * `moderation` notification with the note. Screenshots (375/1280, dark and light) and axe on
 * the report dialog, /admin and /admin/audit.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAdmin, runD1, sqlString } from "../scripts/admin.ts";
import { ROOT } from "../scripts/lib/stack.ts";
import { expectAccessible, setTheme, shootThemes } from "./axe.ts";
import { api, CHROMIUM, CHROMIUM_ARGS, signUpViaApi, startE2EStack, toolsAvailable } from "./support.ts";

const ready = toolsAvailable("e2e moderation", { chromium: true });

type Account = Awaited<ReturnType<typeof signUpViaApi>>;
const COMMENT = "Cheap followers at example.com/deal — DM me";
const NOTE = "Spam links in comments";

describe.skipIf(!ready)("moderation in Chromium (real stack)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let siteCopy: string;
  let browser: Browser;
  let creator: Account;
  let viewer: Account;
  let mod: Account;
  let videoId: string;
  let commentId: string;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  async function signedInPage(account: Account): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    // A loaded CI machine: generous navigation and wait limits; nothing here sleeps.
    context.setDefaultTimeout(60_000);
    context.setDefaultNavigationTimeout(90_000);
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${stack.origin}/login`);
    await page.fill("[data-testid=login-email]", account.email);
    await page.fill("[data-testid=login-password]", account.password);
    await Promise.all([page.waitForURL(`${stack.origin}/`), page.click("[data-testid=login-submit]")]);
    await page.waitForSelector("[data-testid=auth-nav][data-state=signed-in]", { timeout: 45_000 });
    return page;
  }

  beforeAll(async () => {
    siteCopy = mkdtempSync(join(tmpdir(), "streamline-e2e-moderation-site-"));
    cpSync(join(ROOT, "site", "dist"), join(siteCopy, "dist"), { recursive: true });
    stack = await startE2EStack({
      mailSink: {},
      siteConfig: join(siteCopy, "dist", "server", "wrangler.json"),
    });
    [creator, viewer, mod] = await Promise.all([
      signUpViaApi(stack.origin, "creator"),
      signUpViaApi(stack.origin, "viewer"),
      signUpViaApi(stack.origin, "mod"),
    ]);
    const persist = ["--persist-to", join(stack.dataDir, "wrangler")];
    expect(runAdmin(["grant", mod.email, "moderator", "--allow-unverified", ...persist])).toBe(0);
    // Commenting needs a verified address; the mail round trip is e2e/email.test.ts's subject.
    runD1(`UPDATE users SET email_verified_at = ${Date.now()} WHERE email = ${sqlString(creator.email)}`, {
      remote: false,
      persistTo: persist[1]!,
    });
    // Moderation does not depend on playback: an upload in progress is a public video with a
    // watch page and comments, and the test spends no time transcoding.
    const upload = await api<{ videoId: string }>(stack.origin, "/api/uploads", {
      method: "POST",
      json: {
        filename: "harbour.mp4",
        size: 4096,
        contentType: "video/mp4",
        title: "Harbour at dusk",
        visibility: "public",
      },
      token: creator.token,
    });
    expect(upload.status).toBe(201);
    videoId = upload.body.videoId;
    const posted = await api<{ id: string }>(stack.origin, `/api/videos/${videoId}/comments`, {
      method: "POST",
      json: { text: COMMENT },
      token: creator.token,
    });
    expect(posted.status).toBe(201);
    commentId = posted.body.id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await stack?.stop();
    if (siteCopy) rmSync(siteCopy, { recursive: true, force: true });
  });

  it("a viewer reports the comment from its menu: reason, details, thanks; a second report is refused", async () => {
    const page = await signedInPage(viewer);
    await page.goto(`${stack.origin}/watch/${videoId}`);
    await page.waitForSelector("[data-testid=comments][data-state=ready]", { timeout: 20_000 });
    // The video's own Report button is in the action row too.
    expect(await page.isVisible("[data-testid=report-video]")).toBe(true);
    const comment = page.locator(`[data-comment-id="${commentId}"]`);
    await comment.locator("[data-testid=comment-report]").click();
    const dialog = page.locator("[data-testid=report-dialog]");
    await dialog.waitFor({ state: "visible" });
    expect(await dialog.locator("h2").textContent()).toBe("Report this comment");
    await page.check("input[name=reason][value=spam]");
    await page.fill("[data-testid=report-details]", "Selling followers");
    await expectAccessible(page, "report dialog");
    await setTheme(page, "light");
    await expectAccessible(page, "report dialog (light)");
    await shootThemes(page, "report-dialog");
    await page.click("[data-testid=report-submit]");
    await page.locator("[data-testid=report-done]").waitFor({ state: "visible" });

    // Reporting it again from the UI says so instead of filing a second one.
    await page.click("[data-testid=report-done] [data-role=close]");
    await comment.locator("[data-testid=comment-report]").click();
    await page.check("input[name=reason][value=hate]");
    await page.click("[data-testid=report-submit]");
    await expect.poll(() => dialog.locator("[data-role=error]").textContent()).toMatch(/already reported/);
    expect(pageErrors).toEqual([]);
  });

  it("the moderator removes it from /admin with a note; the audit log records it", async () => {
    const page = await signedInPage(mod);
    await page.goto(`${stack.origin}/admin`);
    const group = page.locator(`[data-testid=mod-group][data-target="comment:${commentId}"]`);
    await group.waitFor({ timeout: 45_000 });
    expect(await group.textContent()).toContain(COMMENT);
    expect(await group.textContent()).toContain(`@${viewer.handle}`);
    expect(await group.textContent()).toContain("Selling followers");
    await expectAccessible(page, "/admin");
    await shootThemes(page, "admin-queue");

    await group.locator("[data-testid=mod-note]").fill(NOTE);
    await group.locator("[data-testid=mod-remove_comment]").click();
    await page.waitForSelector("[data-testid=admin-queue][data-state=empty]", { timeout: 45_000 });
    const gone = await api(stack.origin, `/api/videos/${videoId}/comments`);
    expect(JSON.stringify(gone.body)).not.toContain(COMMENT);

    await page.goto(`${stack.origin}/admin/audit`);
    const row = page.locator("[data-testid=audit-row]").first();
    await row.waitFor({ timeout: 45_000 });
    expect(await row.textContent()).toContain("Removed comment");
    expect(await row.textContent()).toContain(NOTE);
    expect(await row.textContent()).toContain(`@${mod.handle}`);
    await expectAccessible(page, "/admin/audit");
    await setTheme(page, "light");
    await expectAccessible(page, "/admin/audit (light)");
    await shootThemes(page, "admin-audit");
    // A viewer without a role is told the page does not exist.
    const other = await signedInPage(viewer);
    await other.goto(`${stack.origin}/admin`);
    await other.waitForSelector("[data-testid=admin-denied]", { state: "visible", timeout: 45_000 });
  });

  it("the comment's author sees the moderation notification with the note in the bell", async () => {
    const page = await signedInPage(creator);
    await page.click("[data-testid=bell-button]");
    const item = page.locator("[data-testid=bell-item][data-type=moderation]");
    await item.waitFor({ timeout: 45_000 });
    expect(await item.textContent()).toContain(NOTE);
    expect(pageErrors).toEqual([]);
  });
});
