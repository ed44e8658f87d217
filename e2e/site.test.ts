/**
 * The site around the player on the real stack in Chromium (ADR 0020): home renders its first
 * page on the server (posters eager at high priority in the first row) and "Load more" appends
 * the next keyset page; the header's search goes to /search?q= (and folds into an icon on
 * phones); the account menu works from the keyboard and has its items; the light theme paints
 * a different page and is saved to the account; no sideways scroll at 360 px; the upload page
 * queues two files, pauses and resumes one, cancels the other; cache headers; axe-core finds no
 * serious or critical violation on the site's pages in either theme. Screenshots at 375/1280 px
 * in both themes: home, upload with its queue, the header menu open.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page, type Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ROOT } from "../scripts/lib/stack.ts";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import { expectAccessible, setTheme, shootThemes } from "./axe.ts";
import {
  api,
  CHROMIUM,
  CHROMIUM_ARGS,
  makeTwoPartSource,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
  uploadFile,
  waitForVideo,
} from "./support.ts";

const ready = toolsAvailable("e2e site", { ffmpeg: true, chromium: true });

type Account = Awaited<ReturnType<typeof signUpViaApi>>;
type Video = { id: string; status: string; title: string; visibility: string };

/** Home shows this many cards per page in this test (the site Worker's HOME_PAGE_SIZE). */
const PAGE = 2;
const TITLES = ["Oldest harbour clip", "Middle harbour clip", "Newest harbour clip"];

describe.skipIf(!ready)(
  "site shell, home, themes, upload queue and accessibility (real stack + Chromium)",
  () => {
    let stack: Awaited<ReturnType<typeof startE2EStack>>;
    let siteCopy: string;
    let browser: Browser;
    let page: Page;
    let account: Account;
    let clip: string;
    let twoPart: string;
    const videoIds: string[] = [];
    const pageErrors: string[] = [];

    const overflow = (p: Page) =>
      p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const bodyBackground = (p: Page) => p.evaluate(() => getComputedStyle(document.body).backgroundColor);

    beforeAll(async () => {
      // A private copy of the built site (a concurrent build cannot swap it), with small home pages.
      siteCopy = mkdtempSync(join(tmpdir(), "streamline-e2e-site-"));
      const siteConfig = join(siteCopy, "dist", "server", "wrangler.json");
      // Another run may be rebuilding site/dist right now: copy again until the copy is whole.
      await vi.waitFor(
        () => {
          rmSync(join(siteCopy, "dist"), { recursive: true, force: true });
          cpSync(join(ROOT, "site", "dist"), join(siteCopy, "dist"), { recursive: true });
          if (!existsSync(siteConfig) || !existsSync(join(siteCopy, "dist", "client", "_headers")))
            throw new Error("site/dist is being rebuilt");
        },
        { timeout: 120_000, interval: 3_000 },
      );
      const config = JSON.parse(readFileSync(siteConfig, "utf8")) as { vars?: Record<string, string> };
      writeFileSync(
        siteConfig,
        JSON.stringify({ ...config, vars: { ...config.vars, HOME_PAGE_SIZE: String(PAGE) } }),
      );
      let fixtures: Record<string, string>;
      [stack, fixtures] = await Promise.all([
        startE2EStack({ siteConfig }),
        ensureFixtures(["clip-640x360-2s.mp4"]),
      ]);
      clip = fixtures["clip-640x360-2s.mp4"]!;
      twoPart = makeTwoPartSource(stack.dataDir);
      account = await signUpViaApi(stack.origin, "site");
      for (const title of TITLES) {
        const { videoId } = await uploadFile(stack.origin, clip, { title, token: account.token });
        videoIds.push(videoId);
      }
      await Promise.all(
        videoIds.map((id) =>
          waitForVideo<Video>(stack.origin, id, (v) => v.status === "ready", 180_000, account.token),
        ),
      );
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      // A loaded 2-core machine shared with other stacks: pages can take longer than 30 s.
      page.setDefaultTimeout(60_000);
      page.setDefaultNavigationTimeout(90_000);
      page.on("pageerror", (e) => pageErrors.push(`${new URL(page.url()).pathname}: ${e.message}`));
      await page.goto(`${stack.origin}/login`);
      await page.fill("[data-testid=login-email]", account.email);
      await page.fill("[data-testid=login-password]", account.password);
      await Promise.all([page.waitForURL(`${stack.origin}/`), page.click("[data-testid=login-submit]")]);
      await page.waitForSelector("[data-testid=auth-nav][data-state=signed-in]", { timeout: 15_000 });
    }, 600_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
      if (siteCopy) rmSync(siteCopy, { recursive: true, force: true });
    });

    it("home: the first page is in the HTML (first row eager, high priority); Load more appends the next", async () => {
      const html = await (await fetch(`${stack.origin}/`)).text();
      expect(html).toContain(TITLES[2]);
      await page.goto(`${stack.origin}/`);
      const cards = page.locator("[data-testid=video-grid] [data-testid=video-card]");
      expect(await cards.count()).toBe(PAGE);
      expect(await page.locator("[data-testid=video-title]").allTextContents()).toEqual([
        TITLES[2],
        TITLES[1],
      ]);
      const poster = cards.first().locator("img");
      expect(await poster.getAttribute("loading")).toBe("eager");
      expect(await poster.getAttribute("fetchpriority")).toBe("high");
      await expect
        .poll(() => poster.evaluate((img: HTMLImageElement) => img.naturalWidth))
        .toBeGreaterThan(0);
      const first = cards.first();
      expect(await first.locator("[data-testid=video-duration]").textContent()).toBe("0:02");
      expect(await first.locator(".card-meta").textContent()).toMatch(/^0 views · /);
      // The chip sits under the card's link (a link may not hold another).
      expect(
        await page.locator("[data-testid=video-grid] .card-channel .channel-chip-name").first().textContent(),
      ).toBe(account.handle);

      await page.click("[data-testid=home-load-more]");
      await expect.poll(() => cards.count()).toBe(3);
      expect(await page.locator("[data-testid=video-title]").nth(2).textContent()).toBe(TITLES[0]);
      // Third in the grid: still the first row at 1280 px (four cards), so eager. The last page: no more button.
      expect(await cards.nth(2).locator("img").getAttribute("loading")).toBe("eager");
      expect(await page.isHidden("[data-testid=home-load-more]")).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.textContent)).toContain(TITLES[0]);
      await shootThemes(page, "site-home");
    });

    it("home posters: srcset of the fleet's WebP widths; the browser picks the smallest one the card needs (375 and 1280 px)", async () => {
      // Fresh contexts: a browser may reuse a larger candidate it already has.
      const pick = async (width: number) => {
        const context = await browser.newContext({ viewport: { width, height: 800 } });
        try {
          const p = await context.newPage();
          await p.goto(`${stack.origin}/`);
          const img = p.locator("[data-testid=video-grid] [data-testid=video-card] img").first();
          await expect
            .poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth))
            .toBeGreaterThan(0);
          return await img.evaluate((i: HTMLImageElement) => ({
            srcset: i.srcset,
            src: i.getAttribute("src"),
            currentSrc: i.currentSrc,
            slot: i.getBoundingClientRect().width,
            natural: i.naturalWidth,
          }));
        } finally {
          await context.close();
        }
      };
      const phone = await pick(375);
      // The 640×360 clip: 320 and 640 px WebPs (never upscaled), the JPEG as src.
      expect(phone.srcset).toMatch(/\/poster-320\.webp 320w, .*\/poster-640\.webp 640w$/);
      expect(phone.src).toMatch(/\/poster\.jpg$/);
      // One column, ~343 px: 320 is too narrow, so 640 — the WebP, not the JPEG.
      expect(phone.slot).toBeGreaterThan(320);
      expect(phone.currentSrc).toMatch(/\/poster-640\.webp$/);
      const desktop = await pick(1280);
      // Four columns of ~290 px: the 320 px copy.
      expect(desktop.slot).toBeLessThanOrEqual(320);
      expect(desktop.currentSrc).toMatch(/\/poster-320\.webp$/);
      // A srcset image's natural width is the candidate's, divided by its density for `sizes`.
      expect(desktop.natural).toBe(290);
    });

    it("cache headers: pages are private, no-cache; hashed assets immutable for a year", async () => {
      for (const path of ["/", "/upload", "/login", `/watch/${videoIds[0]}`]) {
        const res = await fetch(`${stack.origin}${path}`);
        await res.body?.cancel();
        expect(res.headers.get("content-type"), path).toMatch(/^text\/html/);
        expect(res.headers.get("cache-control"), path).toBe("private, no-cache");
      }
      const html = await (await fetch(`${stack.origin}/`)).text();
      const asset = /(?:src|href)="(\/_astro\/[^"]+\.(?:js|css))"/.exec(html)?.[1];
      expect(asset).toBeTruthy();
      const res = await fetch(`${stack.origin}${asset}`);
      await res.body?.cancel();
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    });

    it("header search goes to /search?q=; on a phone it folds into an icon that opens it", async () => {
      await page.goto(`${stack.origin}/`);
      // The search page (ADR 0021) may add its own parameters: only the path and q are ours.
      const searched = (q: string) => (url: URL) =>
        url.pathname === "/search" && url.searchParams.get("q") === q;
      await page.fill("[data-testid=search-input]", "harbour boats");
      await Promise.all([
        page.waitForURL(searched("harbour boats"), { waitUntil: "commit" }),
        page.press("[data-testid=search-input]", "Enter"),
      ]);
      expect(new URL(page.url()).search).toMatch(/^\?q=harbour\+boats/);

      await page.setViewportSize({ width: 360, height: 780 });
      try {
        await page.goto(`${stack.origin}/`);
        expect(await page.isVisible("[data-testid=search-input]")).toBe(false);
        await page.click("[data-testid=search-open]");
        expect(await page.evaluate(() => document.activeElement?.id)).toBe("site-search");
        await page.keyboard.type("dawn");
        await Promise.all([
          page.waitForURL(searched("dawn"), { waitUntil: "commit" }),
          page.keyboard.press("Enter"),
        ]);
      } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
      }
    });

    it("section tabs under the header: Home, Trending, and Subscriptions once signed in; the current one marked", async () => {
      const tabs = () => page.locator("[data-testid=section-nav] a:visible").allTextContents();
      await page.goto(`${stack.origin}/trending`);
      await page.waitForSelector("[data-testid=auth-nav][data-state=signed-in]");
      expect((await tabs()).map((t) => t.trim())).toEqual(["Home", "Trending", "Subscriptions"]);
      expect(await page.getAttribute("[data-testid=section-trending]", "aria-current")).toBe("page");
      expect(await page.getAttribute("[data-testid=section-home]", "aria-current")).toBeNull();
      await Promise.all([page.waitForURL(`${stack.origin}/feed`), page.click("[data-testid=section-feed]")]);
      expect(await page.getAttribute("[data-testid=section-feed]", "aria-current")).toBe("page");
      // Signed out, the feed's tab is not offered; at 375 px the tabs fit without sideways scroll.
      const anonymous = await browser.newPage({ viewport: { width: 375, height: 800 } });
      try {
        await anonymous.goto(`${stack.origin}/`);
        await anonymous.waitForSelector("[data-testid=auth-nav][data-state=anonymous]");
        const shown = await anonymous.locator("[data-testid=section-nav] a:visible").allTextContents();
        expect(shown.map((t) => t.trim())).toEqual(["Home", "Trending"]);
        expect(await anonymous.getAttribute("[data-testid=section-home]", "aria-current")).toBe("page");
        expect(await overflow(anonymous)).toBe(0);
      } finally {
        await anonymous.close();
      }
    });

    it("the account menu opens from the keyboard with its items; arrows, Home/End, letters and Esc work", async () => {
      await page.goto(`${stack.origin}/`);
      await page.waitForSelector("[data-testid=auth-nav][data-state=signed-in]");
      const menu = page.locator("[data-testid=account-menu]");
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute("data-testid"));
      await page.focus("[data-testid=account-menu-button]");
      await page.keyboard.press("Enter");
      await menu.waitFor({ state: "visible" });
      expect(await page.getAttribute("[data-testid=account-menu-button]", "aria-expanded")).toBe("true");
      expect(await focused()).toBe("nav-channel");
      const items = menu.locator('[role^="menuitem"]:visible');
      expect((await items.allTextContents()).map((t) => t.trim())).toEqual([
        "Your channel",
        "Studio",
        "Subscriptions",
        "History",
        "Account",
        "System",
        "Light",
        "Dark",
        "Log out",
      ]);
      expect(await page.getAttribute("[data-testid=nav-channel]", "href")).toBe(`/c/${account.handle}`);
      expect(await page.isHidden("[data-testid=nav-admin]")).toBe(true); // no moderator/admin role
      await page.keyboard.press("ArrowDown");
      expect(await focused()).toBe("nav-studio");
      await page.keyboard.press("End");
      expect(await focused()).toBe("nav-logout");
      await page.keyboard.press("ArrowDown"); // wraps
      expect(await focused()).toBe("nav-channel");
      await page.keyboard.press("h");
      expect(await focused()).toBe("nav-history");
      await page.keyboard.press("Escape");
      await menu.waitFor({ state: "hidden" });
      expect(await focused()).toBe("account-menu-button");
      await page.keyboard.press("ArrowUp"); // opens on the last item
      expect(await focused()).toBe("nav-logout");
      await expectAccessible(page, "header menu open");
      await shootThemes(page, "site-header-menu");
      await page.keyboard.press("Escape");
    });

    it("the light theme from the menu applies at once, paints another background, is saved and survives a reload", async () => {
      await setTheme(page, "dark");
      await page.goto(`${stack.origin}/`);
      const dark = await bodyBackground(page);
      await page.click("[data-testid=account-menu-button]");
      await page.click("[data-testid=theme-light]");
      expect(await page.getAttribute("html", "data-theme")).toBe("light");
      expect(await page.getAttribute("[data-testid=theme-light]", "aria-checked")).toBe("true");
      const light = await bodyBackground(page);
      expect(light).not.toBe(dark);
      await expect
        .poll(
          async () =>
            (await api<{ theme: string }>(stack.origin, "/api/me/preferences", { token: account.token })).body
              .theme,
        )
        .toBe("light");
      await page.reload();
      expect(await page.getAttribute("html", "data-theme")).toBe("light");
      // "System" follows the OS.
      await setTheme(page, "system");
      await page.emulateMedia({ colorScheme: "light" });
      expect(await bodyBackground(page)).toBe(light);
      await page.emulateMedia({ colorScheme: "dark" });
      expect(await bodyBackground(page)).toBe(dark);
      await page.emulateMedia({ colorScheme: null });
      await setTheme(page, "dark");
    });

    it("no sideways scroll at 360 px (or 1920 px): home, watch, upload", async () => {
      try {
        for (const width of [360, 1920]) {
          await page.setViewportSize({ width, height: 800 });
          for (const path of ["/", `/watch/${videoIds[0]}`, "/upload"]) {
            await page.goto(`${stack.origin}${path}`);
            await page.waitForSelector("[data-testid=auth-nav][data-state=signed-in]");
            expect(await overflow(page), `${path} at ${width} px`).toBe(0);
          }
        }
      } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
      }
    });

    it("upload queue: two files at once; one paused, edited and resumed, the other cancelled", async () => {
      // Part PUTs wait at the network until released: both files stay "uploading".
      const held: Route[] = [];
      let holding = true;
      await page.route(/partNumber=/, (route) => (holding ? held.push(route) : route.continue()));
      await page.goto(`${stack.origin}/upload`);
      await page.setInputFiles("[data-testid=file-input]", [twoPart, clip]);
      const rows = page.locator("[data-testid=queue-item]");
      await expect.poll(() => rows.count()).toBe(2);
      await expect.poll(() => page.textContent("[data-testid=start-upload]")).toContain("Upload 2 files");
      await page.click("[data-testid=start-upload]");
      const first = rows.nth(0);
      const second = rows.nth(1);
      await expect.poll(() => first.getAttribute("data-state")).toBe("uploading");
      await expect.poll(() => second.getAttribute("data-state")).toBe("uploading");
      await expect.poll(() => held.length, { timeout: 15_000 }).toBeGreaterThan(1);
      const firstId = (await first.getAttribute("data-video-id"))!;
      const secondId = (await second.getAttribute("data-video-id"))!;
      await shootThemes(page, "site-upload-queue");

      await first.locator("[data-testid=queue-pause]").click();
      await expect.poll(() => first.getAttribute("data-state")).toBe("paused");
      // Paused: the details of that file are still editable and saved to it.
      await first.locator("[data-testid=queue-select]").click();
      expect(await page.textContent("[data-testid=details-file]")).toBe("upload-720p-10s.mp4");
      await page.fill("[data-testid=title-input]", "Queued and paused");
      await expect
        .poll(() => page.textContent("[data-testid=details-status]"), { timeout: 60_000 })
        .toContain("All changes saved");

      await second.locator("[data-testid=queue-cancel]").click();
      await expect.poll(() => rows.count()).toBe(1);
      await expect.poll(() => page.textContent("[data-testid=upload-notice]")).toContain("cancelled");
      // DELETE /api/uploads/:id discards the bytes; the video stays, failed `upload_aborted`.
      const gone = await api<{ status: string; failure?: { code: string } }>(
        stack.origin,
        `/api/videos/${secondId}`,
        {
          token: account.token,
        },
      );
      expect(gone.body).toMatchObject({ status: "failed", failure: { code: "upload_aborted" } });

      holding = false;
      for (const route of held.splice(0)) await route.continue().catch(() => undefined); // aborted ones
      await page.unroute(/partNumber=/);
      await first.locator("[data-testid=queue-resume]").click();
      await expect.poll(() => first.getAttribute("data-state"), { timeout: 60_000 }).toBe("processing");
      expect(await page.getAttribute("[data-testid=upload]", "data-state")).toBe("processing");
      const video = await api<Video>(stack.origin, `/api/videos/${firstId}`, { token: account.token });
      expect(video.body.title).toBe("Queued and paused");
      expect(video.body.status).not.toBe("uploading");
    });

    it("axe-core: no serious or critical violations on the site's pages, dark and light", async () => {
      const channel = `/c/${account.handle}`;
      const signedIn: [string, string][] = [
        ["/", "[data-testid=home][data-state=ready]"],
        ["/upload", "[data-testid=upload][data-state=idle]"],
        ["/account", "[data-testid=account][data-state=ready]"],
        ["/history", "[data-testid=history]:not([data-state=loading])"],
        ["/feed", "[data-testid=feed]:not([data-state=loading])"],
        [channel, "[data-testid=channel-videos][data-state=ready]"],
      ];
      const anonymous = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      anonymous.setDefaultTimeout(60_000);
      anonymous.setDefaultNavigationTimeout(90_000);
      await anonymous.goto(`${stack.origin}/login`);
      const pages: [Page, string, string][] = [
        ...signedIn.map(([path, sel]) => [page, path, sel] as [Page, string, string]),
        [anonymous, "/login", "[data-testid=auth-nav][data-state=anonymous]"],
        [anonymous, "/signup", "[data-testid=auth-nav][data-state=anonymous]"],
        [anonymous, "/", "[data-testid=home][data-state=ready]"],
      ];
      try {
        for (const [p, path, selector] of pages) {
          await p.goto(`${stack.origin}${path}`);
          await p.waitForSelector(selector, { timeout: 15_000 });
          for (const theme of ["dark", "light"] as const) {
            await setTheme(p, theme);
            await expectAccessible(p, `${path} (${theme}${p === anonymous ? ", signed out" : ""})`);
          }
          await setTheme(p, "dark");
        }
      } finally {
        await anonymous.close();
      }
      expect(pageErrors).toEqual([]);
    });
  },
);
