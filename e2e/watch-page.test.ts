/**
 * The watch page and embeds (ADR 0019) in Chromium on the real stack. One creator uploads
 * two 2 s clips: "Harbour" (description with timestamps) and "Boats" (up next for it, with
 * embedding off, later on an allow-list). The watch page carries OpenGraph / Twitter player tags and the
 * oEmbed link, whose JSON is valid; Share gives `?t=`; description timestamps seek; up next
 * lists the other video and, on `ended`, counts down 5 s (cancellable, else it goes there).
 * `/embed/:id` plays inside an iframe served from another loopback origin (a node:http host
 * page) and is refused there when embedding is off or the host is not on the video's list.
 * Screenshots of watch and embed at 375/1280 px in both themes; axe on both.
 */
import { cpSync, mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OEmbedResponse } from "@streamline/contracts";
import { type Browser, chromium, type Frame, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../scripts/lib/stack.ts";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import { expectAccessible, shootThemes } from "./axe.ts";
import {
  api,
  CHROMIUM,
  CHROMIUM_ARGS,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
  uploadFile,
  waitForVideo,
} from "./support.ts";

const ready = toolsAvailable("e2e watch page", { ffmpeg: true, chromium: true });
const CLIP = "clip-640x360-2s.mp4";
const PLAYER = "video[data-testid=player]";

type Video = { id: string; status: string; embed?: { allowed: boolean; origins: string[] | null } };

/** A page on another loopback origin that frames `/embed/:id` (the id and query come from its own query). */
function startHost(origin: string): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://host");
    const id = (url.searchParams.get("id") ?? "").replace(/[^A-Za-z0-9_]/g, "");
    const query = url.searchParams.get("q") ?? "";
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><html lang="en"><title>Host</title><h1>A blog post</h1>` +
        `<iframe id="player" width="640" height="360" src="${origin}/embed/${id}${query ? `?${query.replace(/"/g, "")}` : ""}" ` +
        `title="Video" allow="autoplay; fullscreen" allowfullscreen></iframe></html>`,
    );
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe.skipIf(!ready)("watch page and embeds (real stack + Chromium)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let page: Page;
  let host: Server;
  let hostOrigin: string;
  let owner: Awaited<ReturnType<typeof signUpViaApi>>;
  const ids = { harbour: "", boats: "" };
  const pageErrors: string[] = [];

  const patch = (id: string, json: unknown) =>
    api<Video>(stack.origin, `/api/videos/${id}`, { method: "PATCH", token: owner.token, json });

  async function upload(file: string, title: string): Promise<string> {
    const { videoId } = await uploadFile(stack.origin, file, { title, token: owner.token });
    return videoId;
  }

  beforeAll(async () => {
    // Our own copy of the built site: another build of the shared tree must not swap it mid-test.
    const siteCopy = mkdtempSync(join(tmpdir(), "streamline-e2e-watch-site-"));
    cpSync(process.env.E2E_SITE_DIST ?? join(ROOT, "site", "dist"), join(siteCopy, "dist"), {
      recursive: true,
    });
    const siteConfig = join(siteCopy, "dist", "server", "wrangler.json");
    const [started, fx] = await Promise.all([
      // Views flush to D1 every 2 s here (the embed's view shows in the count without a long wait).
      startE2EStack({ siteConfig, edgeVars: { VIEW_FLUSH_SECONDS: "2" } }),
      ensureFixtures([CLIP]),
    ]);
    stack = started;
    owner = await signUpViaApi(stack.origin, "watch");
    // "Boats" first: the channel's newest other video is what up next falls back to.
    ids.boats = await upload(fx[CLIP], "Boats leaving");
    ids.harbour = await upload(fx[CLIP], "Harbour at dawn");
    await patch(ids.harbour, {
      description: "Dawn over the harbour.\nThe boats pass at 0:01.\nMore at https://example.com/harbour",
    });
    // Embedding off for "Boats" until the iframe test turns it back on with an allow-list.
    await patch(ids.boats, { embed: { allowed: false, origins: null } });
    await Promise.all(
      [ids.boats, ids.harbour].map((id) =>
        waitForVideo<Video>(stack.origin, id, (v) => v.status === "ready", 240_000, owner.token),
      ),
    );
    host = await startHost(stack.origin);
    hostOrigin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => host?.close(resolve));
    await stack?.stop();
  });

  const canPlay = (p: Page | Frame) =>
    p.waitForFunction(
      (sel) => (document.querySelector<HTMLVideoElement>(sel)?.readyState ?? 0) >= 1,
      PLAYER,
      {
        timeout: 30_000,
      },
    );
  const currentTime = (p: Page | Frame) =>
    p.evaluate((sel) => document.querySelector<HTMLVideoElement>(sel)?.currentTime ?? -1, PLAYER);

  it("renders OpenGraph / Twitter player tags and the oEmbed link server-side; the oEmbed JSON is valid", async () => {
    const res = await fetch(`${stack.origin}/watch/${ids.harbour}`);
    const html = await res.text();
    const tag = (key: string) =>
      new RegExp(`<meta (?:property|name)="${key.replace(/[.:]/g, "\\$&")}" content="([^"]*)"`).exec(
        html,
      )?.[1];
    expect(tag("og:title")).toBe("Harbour at dawn");
    expect(tag("og:description")).toBe(
      "Dawn over the harbour. The boats pass at 0:01. More at https://example.com/harbour",
    );
    // The stable poster address: it redirects to the signed poster (which expires; this does not).
    expect(tag("og:image")).toBe(`${stack.origin}/api/videos/${ids.harbour}/thumbnail`);
    const image = await fetch(tag("og:image")!);
    expect([image.status, image.headers.get("content-type")]).toEqual([200, "image/jpeg"]);
    expect(image.url).toMatch(new RegExp(`^${stack.origin}/v/${ids.harbour}/[^/]+/poster\\.jpg$`));
    expect(tag("og:video")).toBe(`${stack.origin}/embed/${ids.harbour}`);
    expect(tag("video:duration")).toBe("2");
    expect(tag("twitter:card")).toBe("player");
    expect(tag("twitter:player")).toBe(`${stack.origin}/embed/${ids.harbour}`);
    expect(tag("twitter:player:width")).toBe("640");
    const href = /<link rel="alternate" type="application\/json\+oembed" href="([^"]+)"/.exec(html)?.[1];
    expect(href).toBeDefined();

    const oembed = await fetch(href!.replace(/&amp;/g, "&"));
    expect(oembed.status).toBe(200);
    const body = OEmbedResponse.parse(await oembed.json());
    expect(body).toMatchObject({
      type: "video",
      version: "1.0",
      title: "Harbour at dawn",
      author_name: owner.handle,
    });
    expect(body.html).toContain(`src="${stack.origin}/embed/${ids.harbour}"`);
    // The thumbnail it names is really there.
    expect((await fetch(body.thumbnail_url!)).headers.get("content-type")).toMatch(/^image\//);
    // Embedding off: no player card, no oEmbed.
    const closed = await (await fetch(`${stack.origin}/watch/${ids.boats}`)).text();
    expect(closed).not.toContain("application/json+oembed");
    expect(closed).not.toContain('name="twitter:player"');
    const refused = await fetch(
      `${stack.origin}/oembed?url=${encodeURIComponent(`${stack.origin}/watch/${ids.boats}`)}`,
    );
    expect(refused.status).toBe(404);
    const xml = await fetch(
      `${stack.origin}/oembed?format=xml&url=${encodeURIComponent(`${stack.origin}/watch/${ids.harbour}`)}`,
    );
    expect(xml.status).toBe(501);
  });

  it("timestamps in the description seek; Share copies the link at the current time", async () => {
    await page.goto(`${stack.origin}/watch/${ids.harbour}`);
    // Autoplay next is on by default for a visitor; off here so this 2 s clip ending goes nowhere.
    await page.waitForSelector("[data-testid=autoplay-toggle]");
    expect(await page.isChecked("[data-testid=autoplay-toggle]")).toBe(true);
    await page.click("[data-testid=autoplay-toggle]");
    await canPlay(page);
    await page.evaluate((sel) => document.querySelector<HTMLVideoElement>(sel)!.pause(), PLAYER);
    await page.locator("[data-testid=video-description] a.timestamp", { hasText: "0:01" }).click();
    await expect.poll(() => currentTime(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(0.9);
    expect(new URL(page.url()).searchParams.get("t")).toBe("1");

    await page.evaluate((sel) => {
      const v = document.querySelector<HTMLVideoElement>(sel)!;
      v.pause();
      v.currentTime = 1.4;
    }, PLAYER);
    await page.click("[data-testid=share-button]");
    await page.waitForSelector("[data-testid=share-dialog][open]");
    expect(await page.inputValue("[data-testid=share-link]")).toBe(`${stack.origin}/watch/${ids.harbour}`);
    await page.check("[data-testid=share-at-time]");
    expect(await page.inputValue("[data-testid=share-link]")).toBe(
      `${stack.origin}/watch/${ids.harbour}?t=1`,
    );
    expect(await page.inputValue("[data-testid=share-embed-code]")).toContain(
      `src="${stack.origin}/embed/${ids.harbour}?start=1"`,
    );
    await page.click("[data-testid=share-copy-link]");
    await expect.poll(() => page.textContent("[data-testid=share-status]")).toMatch(/copied|Ctrl\+C/);
    await expectAccessible(page, "watch page share dialog");
    await page.click("[data-testid=share-close]");
  });

  it("up next lists the channel's other video; on ended it counts down, can be cancelled, else goes there", async () => {
    await page.goto(`${stack.origin}/watch/${ids.harbour}`);
    const items = page.locator("[data-testid=up-next-item] a");
    await items.first().waitFor({ timeout: 15_000 });
    const hrefs = await items.evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    expect(hrefs).toContain(`/watch/${ids.boats}`);
    expect(hrefs).not.toContain(`/watch/${ids.harbour}`);
    const next = hrefs[0]!;
    // The visitor's choice was kept in this browser; turn it back on.
    expect(await page.isChecked("[data-testid=autoplay-toggle]")).toBe(false);
    await page.click("[data-testid=autoplay-toggle]");

    await canPlay(page);
    // Seek to the last 0.2 s, play, and wait for the media's own `ended` (on a loaded
    // 2-core machine the last segment can take seconds to arrive); a stall reports the
    // media's state instead of a bare timeout.
    const toEnd = async () => {
      const outcome = await page.evaluate(
        (sel) =>
          new Promise<string>((resolve) => {
            const v = document.querySelector<HTMLVideoElement>(sel)!;
            const timer = setTimeout(() => {
              const ranges = Array.from(
                { length: v.buffered.length },
                (_, i) => `${v.buffered.start(i)}-${v.buffered.end(i)}`,
              );
              resolve(
                `stalled at ${v.currentTime}/${v.duration}, readyState ${v.readyState}, buffered ${ranges.join(",")}`,
              );
            }, 25_000);
            v.addEventListener(
              "ended",
              () => {
                clearTimeout(timer);
                resolve("ended");
              },
              { once: true },
            );
            v.addEventListener("seeked", () => void v.play().catch(() => undefined), { once: true });
            v.currentTime = Math.max(0, v.duration - 0.2);
          }),
        PLAYER,
      );
      expect(outcome).toBe("ended");
    };
    await toEnd();
    const overlay = page.locator("[data-testid=autoplay-countdown]");
    await overlay.waitFor({ state: "visible", timeout: 10_000 });
    expect(Number(await page.textContent("[data-testid=countdown-seconds]"))).toBeGreaterThanOrEqual(4);
    await page.click("[data-testid=countdown-cancel]");
    await overlay.waitFor({ state: "hidden" });
    // Cancelled: the page stays, even after the countdown would have run out.
    await page.waitForTimeout(5_500);
    expect(new URL(page.url()).pathname).toBe(`/watch/${ids.harbour}`);

    await toEnd();
    await overlay.waitFor({ state: "visible", timeout: 10_000 });
    await page.waitForURL(`${stack.origin}${next}`, { timeout: 10_000 });
    // Off again, so this clip's own ending does not move on while the next test navigates.
    await page.waitForSelector("[data-testid=autoplay-toggle]");
    await page.uncheck("[data-testid=autoplay-toggle]");
  });

  it("looks right and passes axe at 375 and 1280 px in both themes", async () => {
    await page.goto(`${stack.origin}/watch/${ids.harbour}`);
    await page.locator("[data-testid=up-next-item]").first().waitFor({ timeout: 15_000 });
    await canPlay(page);
    await page.evaluate((sel) => document.querySelector<HTMLVideoElement>(sel)!.pause(), PLAYER);
    await expectAccessible(page, "watch page");
    await shootThemes(page, "watch-page");
    await page.goto(`${stack.origin}/embed/${ids.harbour}`);
    await canPlay(page);
    await expectAccessible(page, "embed page");
    await shootThemes(page, "embed-page");
    await page.goto(`${stack.origin}/embed/${ids.boats}`);
    expect(await page.textContent("[data-testid=embed-message]")).toContain(
      "The owner has disabled embedding",
    );
    expect(await page.getAttribute("[data-testid=embed-watch-link]", "href")).toBe(`/watch/${ids.boats}`);
    expect(await page.getAttribute("[data-testid=embed-watch-link]", "target")).toBeNull();
    expect(await page.evaluate(() => document.querySelector("base")?.target)).toBe("_blank");
    await expectAccessible(page, "embed page (embedding off)");
    await shootThemes(page, "embed-disabled");
  });

  /** The host page's iframe, once it has loaded whatever the browser let it load. */
  async function framed(id: string, query = ""): Promise<Frame> {
    await page.goto(`${hostOrigin}/?id=${id}&q=${encodeURIComponent(query)}`);
    const handle = await page.waitForSelector("#player");
    const frame = await handle.contentFrame();
    if (!frame) throw new Error("no frame");
    await frame.waitForLoadState("load", { timeout: 15_000 }).catch(() => undefined);
    return frame;
  }

  it("plays inside an iframe on another loopback origin; refused there when embedding is off or the host isn't listed", async () => {
    const headers = await fetch(`${stack.origin}/embed/${ids.harbour}`);
    expect(headers.headers.get("content-security-policy")).toMatch(/frame-ancestors \*(;|$)/);
    expect(headers.headers.get("x-frame-options")).toBeNull();
    const watchHeaders = await fetch(`${stack.origin}/watch/${ids.harbour}`);
    expect(watchHeaders.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(watchHeaders.headers.get("x-frame-options")).toBe("DENY");

    const frame = await framed(ids.harbour, "autoplay=1&muted=1&start=1");
    await canPlay(frame);
    await expect.poll(() => currentTime(frame), { timeout: 20_000 }).toBeGreaterThan(1.05);
    expect(await frame.evaluate((sel) => document.querySelector<HTMLVideoElement>(sel)!.muted, PLAYER)).toBe(
      true,
    );
    expect(new URL(frame.url()).origin).toBe(stack.origin);
    expect(await frame.getAttribute("[data-testid=embed-title]", "href")).toBe(`/watch/${ids.harbour}?t=1`);
    await page.screenshot({ path: join(ROOT, "reports", "screenshots", "embed-on-host-1280.png") });

    // Embedding off: the browser refuses to render it in the frame (frame-ancestors 'none').
    const off = await fetch(`${stack.origin}/embed/${ids.boats}`);
    expect(off.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const blocked = await framed(ids.boats);
    expect(blocked.url()).toMatch(/^chrome-error:/);
    expect(await blocked.locator("[data-testid=embed]").count()).toBe(0);

    // An allow-list: the host's origin plays, a list without it is refused.
    await patch(ids.boats, { embed: { allowed: true, origins: ["https://elsewhere.example"] } });
    const unlisted = await framed(ids.boats);
    expect(unlisted.url()).toMatch(/^chrome-error:/);
    expect(await unlisted.locator("[data-testid=embed]").count()).toBe(0);
    const listed = await patch(ids.boats, { embed: { allowed: true, origins: [hostOrigin] } });
    expect(listed.body.embed).toEqual({ allowed: true, origins: [hostOrigin] });
    const allowed = await framed(ids.boats);
    await canPlay(allowed);
    expect(pageErrors.filter((e) => !e.includes("chrome-error"))).toEqual([]);
  });

  it("counts an embedded play as a view on another site (no cookie there: the frame's stored viewer id); follows ?theme=", async () => {
    // localhost and 127.0.0.1 are different sites: the frame is third-party and SameSite=Lax
    // sl_viewer never reaches it — the case real embeds are in.
    const crossSite = `http://localhost:${(host.address() as AddressInfo).port}`;
    const counted = page.waitForResponse(
      async (res) =>
        res.url() === `${stack.origin}/api/views` &&
        res.status() === 202 &&
        (await res.json().catch(() => ({}))).counted === true,
      { timeout: 45_000 },
    );
    const asked = page.waitForRequest((req) => req.url() === `${stack.origin}/api/videos/${ids.harbour}`);
    const before = (await api<{ viewCount: number }>(stack.origin, `/api/videos/${ids.harbour}`)).body
      .viewCount;
    await page.goto(
      `${crossSite}/?id=${ids.harbour}&q=${encodeURIComponent("autoplay=1&muted=1&theme=light")}`,
    );
    const frame = (await (await page.waitForSelector("#player")).contentFrame())!;
    await canPlay(frame);
    expect(await frame.getAttribute("html", "data-theme")).toBe("light");
    const beat = await counted;
    const sent = beat.request();
    expect((await sent.allHeaders()).cookie ?? "").not.toContain("sl_viewer");
    const viewerId = JSON.parse(sent.postData() ?? "{}").viewerId as string;
    expect(viewerId).toMatch(/^[A-Za-z0-9]{24}$/);
    // The same id named the view token (GET /api/videos/:id from the frame) …
    expect((await (await asked).allHeaders())["x-streamline-viewer"]).toBe(viewerId);
    // … and is kept in the frame's storage — where the browser allows a third-party frame any
    // (this headless Chromium, like incognito windows, does not: then it lasts the page load).
    const kept = await frame.evaluate(() => {
      try {
        return localStorage.getItem("streamline.viewer");
      } catch {
        return "storage blocked";
      }
    });
    expect([viewerId, "storage blocked"]).toContain(kept);
    await expect
      .poll(
        async () =>
          (await api<{ viewCount: number }>(stack.origin, `/api/videos/${ids.harbour}`)).body.viewCount,
        {
          timeout: 30_000,
        },
      )
      .toBeGreaterThan(before);
    // Without ?theme= the embed follows the viewer's colour scheme.
    await page.goto(`${stack.origin}/embed/${ids.harbour}`);
    expect(await page.getAttribute("html", "data-theme")).toBe("system");
  });

  it("the studio's Embedding panel shows the settings, names a refused line, and turns embedding off", async () => {
    await page.goto(`${stack.origin}/login?next=${encodeURIComponent(`/studio/${ids.boats}`)}`);
    await page.waitForSelector("[data-testid=auth-nav][data-state=anonymous]", { timeout: 30_000 });
    await page.fill("[data-testid=login-email]", owner.email);
    await page.fill("[data-testid=login-password]", owner.password);
    await Promise.all([
      page.waitForURL(`${stack.origin}/studio/${ids.boats}`),
      page.click("[data-testid=login-submit]"),
    ]);
    await page.waitForSelector("[data-testid=studio-manage][data-state=ready]", { timeout: 30_000 });
    expect(await page.isChecked("[data-testid=embed-allowed]")).toBe(true);
    expect(await page.inputValue("[data-testid=embed-origins]")).toBe(hostOrigin);

    await page.fill("[data-testid=embed-origins]", `${hostOrigin}\nftp://files.example`);
    await page.click("[data-testid=save-embed]");
    await page.waitForSelector("[data-testid=embed-origins-error]:not([hidden])");
    expect(await page.textContent("[data-testid=embed-origins-error]")).toContain("ftp://files.example");

    await page.fill("[data-testid=embed-origins]", hostOrigin);
    await page.uncheck("[data-testid=embed-allowed]");
    expect(await page.isDisabled("[data-testid=embed-origins]")).toBe(true);
    await page.click("[data-testid=save-embed]");
    await expect.poll(() => page.textContent("[data-testid=embed-status]")).toBe("Saved.");
    await expectAccessible(page, "studio embedding panel", { exclude: ["[data-testid=player-wrapper]"] });
    await page.locator("[data-testid=embed-section]").screenshot({
      path: join(ROOT, "reports", "screenshots", "studio-embed-panel-1280.png"),
    });
    const video = await api<Video>(stack.origin, `/api/videos/${ids.boats}`, { token: owner.token });
    expect(video.body.embed).toEqual({ allowed: false, origins: [hostOrigin] });
    const refused = await framed(ids.boats);
    expect(refused.url()).toMatch(/^chrome-error:/);
  });
});
