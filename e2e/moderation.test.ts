/**
 * Moderation on the real stack in Chromium (ADR 0024), one stack for the file: a creator
 * starts an upload and comments on it; a viewer reports the comment from
 * the watch page's Report dialog; a moderator (granted by the operator command) removes it
 * from /admin with a note; the audit log shows the action; the creator's bell shows the
 * `moderation` notification with the note. Screenshots (375/1280, dark and light) and axe on
 * the report dialog, /admin, /admin/audit and /admin/fleet (an admin retries a dead job there).
 */
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAdmin, runD1, sqlString } from "../scripts/admin.ts";
import { expectAccessible, setTheme, shootThemes } from "./axe.ts";
import { api, CHROMIUM, CHROMIUM_ARGS, signUpViaApi, startE2EStack, toolsAvailable } from "./support.ts";

const ready = toolsAvailable("e2e moderation", { chromium: true });

type Account = Awaited<ReturnType<typeof signUpViaApi>>;
const COMMENT = "Cheap followers at example.com/deal — DM me";
const NOTE = "Spam links in comments";

describe.skipIf(!ready)("moderation in Chromium (real stack)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
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
    stack = await startE2EStack({
      mailSink: {},
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

  it("an admin sees the fleet on /admin/fleet and retries a dead job (ADR 0028)", async () => {
    // Every call to the stack comes before the slow wrangler commands: a keep-alive socket left
    // idle through them can be closed under a request (seen as EPIPE / "other side closed").
    const [admin, upload] = await Promise.all([
      signUpViaApi(stack.origin, "admin"),
      api<{ videoId: string }>(stack.origin, "/api/uploads", {
        method: "POST",
        json: {
          filename: "dead.mp4",
          size: 4096,
          contentType: "video/mp4",
          title: "Dead letter",
          visibility: "private",
        },
        token: creator.token,
      }),
    ]);
    expect(upload.status).toBe(201);
    const persist = ["--persist-to", join(stack.dataDir, "wrangler")] as const;
    expect(runAdmin(["grant", admin.email, "admin", "--allow-unverified", ...persist])).toBe(0);
    // A transcode the jobs queue gave up on, as its DLQ consumer leaves it (edge/src/features/jobs,
    // tested in workerd): the video failed with the dead-letter reason and a dead_jobs row.
    const deadVideo = upload.body.videoId;
    const attemptId = "a_e2edeadjob0000000000";
    const jobId = `j_${deadVideo.slice(2)}`;
    const job = {
      v: 1,
      type: "transcode",
      jobId,
      videoId: deadVideo,
      attempt: 1,
      attemptId,
      source: { key: `uploads/${deadVideo}/source`, size: 4096, contentType: "video/mp4" },
      outputPrefix: `videos/${deadVideo}/`,
      createdAt: new Date().toISOString(),
      requestId: "e2e-upload-request",
    };
    const deadReason =
      "transcoding could not start: the transcoder fleet was unavailable, please try again later";
    const deadId = "dj_e2eDeadJob000001";
    runD1(
      `UPDATE videos SET status = 'failed', failure_reason = ${sqlString(deadReason)}, job_id = ${sqlString(jobId)}, attempt = 1, attempt_id = ${sqlString(attemptId)} WHERE id = ${sqlString(deadVideo)};
       INSERT INTO dead_jobs (id, queue, job_type, job_id, subject, attempt, attempt_id, request_id, job_json, deliveries, reason, dead_at)
       VALUES (${sqlString(deadId)}, 'streamline-jobs', 'transcode', ${sqlString(jobId)}, ${sqlString(deadVideo)}, 1, ${sqlString(attemptId)}, 'e2e-upload-request', ${sqlString(JSON.stringify(job))}, 9, 'not dispatched after 9 deliveries: the fleet was unreachable, busy or refused it', ${Date.now()});`,
      { remote: false, persistTo: persist[1] },
    );

    const page = await signedInPage(admin);
    await page.goto(`${stack.origin}/admin/fleet`);
    const dead = page.locator(`[data-testid=fleet-dead-job][data-id=${deadId}]`);
    await dead.waitFor({ timeout: 45_000 });
    expect(await dead.textContent()).toContain("e2e-upload-request");
    // The stack's transcoder node, from the fleet's own registry.
    await page.locator("[data-testid=fleet-node]").first().waitFor();
    expect(Number(await page.textContent("[data-testid=fleet-nodes-count]"))).toBeGreaterThanOrEqual(1);
    expect(await page.locator("[data-testid=fleet-failure]").allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining("Dead letter")]),
    );
    await expectAccessible(page, "/admin/fleet");
    await setTheme(page, "light");
    await expectAccessible(page, "/admin/fleet (light)");
    await shootThemes(page, "admin-fleet");
    // The wide tables scroll inside their boxes: the page itself stays 375 px wide.
    await page.setViewportSize({ width: 375, height: 812 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.setViewportSize({ width: 1280, height: 900 });

    await dead.locator("[data-testid=fleet-retry]").click();
    await expect
      .poll(() => page.textContent("[data-testid=fleet-status]"), { timeout: 30_000 })
      .toContain("Sent the transcode job");
    await dead.waitFor({ state: "detached" });
    // The job went back through the queue: the video left the dead-letter failure (the stack's
    // node then tries it for real; it has no source bytes, so it may fail again, for another reason).
    await expect
      .poll(
        async () => {
          const v = await api<{ status: string; failureReason?: string | null }>(
            stack.origin,
            `/api/videos/${deadVideo}`,
            {
              token: creator.token,
            },
          );
          return v.body.status !== "failed" || v.body.failureReason !== deadReason;
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    // A moderator is not an admin: the fleet page does not exist for them.
    const modPage = await signedInPage(mod);
    await modPage.goto(`${stack.origin}/admin/fleet`);
    await modPage.waitForSelector("[data-testid=fleet-denied]", { state: "visible", timeout: 45_000 });
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
