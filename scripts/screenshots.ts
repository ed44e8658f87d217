/**
 * Full-page screenshots of every site page on the real local stack, to prove a
 * restructuring changed no pixels. Capture mode starts the stack (its own ports and temp
 * data), signs up a fixed user, uploads a small generated video and waits until it is
 * ready, then shoots each page at 375 px and 1280 px in Chromium. What differs run to run
 * is frozen first: animations and transitions are off, the <video> frame is hidden,
 * relative dates read "just now", the random video id is blanked.
 *
 *   node scripts/screenshots.ts --out /work/notes/shots/after
 *   node scripts/screenshots.ts --compare /work/notes/shots/before /work/notes/shots/after
 *
 * The user is signed up with a fixed handle (e2e's signUpViaApi makes random ones, which
 * would show in the header). Compare mode prints each image's share of differing pixels (pixelmatch) and exits 1
 * when any page differs by more than `--threshold` percent (default 0.1) or is missing.
 */
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { freePort } from "../transcoder/src/testing/redis.ts";
import { CHROMIUM, CHROMIUM_FLAGS } from "./lib/chromium.ts";
import { uploadFile, waitForVideo } from "./lib/platform-client.ts";
import { buildSite, ROOT, startStack } from "./lib/stack.ts";

import { ensureFixtures } from "./make-fixtures.ts";

const WIDTHS = [375, 1280] as const;
const HANDLE = "shots";
const EMAIL = "shots@example.com";
const PASSWORD = "correct horse battery staple";
const TITLE = "Harbour at first light";

/** A page to shoot: a file name, a path (given the video id) and whether it needs a signed-in user. */
export interface ShotPage {
  name: string;
  path: (videoId: string) => string;
  signedIn: boolean;
}

export const PAGES: ShotPage[] = [
  { name: "home", path: () => "/", signedIn: true },
  { name: "watch", path: (id) => `/watch/${id}`, signedIn: true },
  { name: "upload", path: () => "/upload", signedIn: true },
  { name: "studio", path: () => "/studio", signedIn: true },
  { name: "studio-video", path: (id) => `/studio/${id}`, signedIn: true },
  { name: "account", path: () => "/account", signedIn: true },
  { name: "login", path: () => "/login", signedIn: false },
  { name: "signup", path: () => "/signup", signedIn: false },
  { name: "forgot-password", path: () => "/forgot-password", signedIn: false },
  // The mailed-link pages in a fixed state: a well-formed token no one issued, and no token.
  { name: "verify-email", path: () => `/verify-email?token=${"A".repeat(43)}`, signedIn: false },
  { name: "reset-password", path: () => "/reset-password", signedIn: false },
  // The provider sign-in follow-ups without a pending sign-in: their "expired" state
  // (e2e/oidc.test.ts shoots them mid-flow, against a real OpenID Provider).
  { name: "welcome", path: () => "/welcome", signedIn: false },
  { name: "link-account", path: () => "/link-account", signedIn: false },
  { name: "not-found", path: () => "/no-such-page", signedIn: false },
];

/** Injected into every page: nothing moves, no caret blinks, the video frame is blank. */
const FREEZE_CSS = `
*, *::before, *::after {
  animation: none !important;
  transition: none !important;
  caret-color: transparent !important;
  scroll-behavior: auto !important;
}
video, canvas { visibility: hidden !important; }
`;

/** Relative dates ("3 minutes ago", "in 2 hours", "yesterday") as the site's formatRelativeTime writes them. */
const RELATIVE_DATE =
  /\b(?:just now|yesterday|tomorrow|today|(?:last|next|this) (?:second|minute|hour|day|week|month|year)|in \d+ (?:second|minute|hour|day|week|month|year)s?(?! ago)|\d+ (?:second|minute|hour|day|week|month|year)s? ago)\b/g;

async function settle(page: Page) {
  await page.waitForLoadState("load");
  // Pages start with data-state="loading"/aria-busy and flip when their data arrived (hidden
  // parts, such as the upload page's idle player, may stay "loading").
  await page
    .waitForFunction(
      () =>
        ![...document.querySelectorAll('[data-state="loading"], [aria-busy="true"]')].some((el) =>
          el.checkVisibility(),
        ),
      null,
      { timeout: 20_000 },
    )
    .catch(() => console.warn(`  ${page.url()}: still loading after 20 s, shooting anyway`));
  await page.waitForLoadState("networkidle", { timeout: 10_000 }).catch(() => {});
  await page.evaluate(() => document.fonts.ready);
}

/** Replaces what differs between runs in the rendered page (ids, relative dates). */
async function freeze(page: Page, videoId: string) {
  await page.addStyleTag({ content: FREEZE_CSS });
  await page.evaluate(
    ({ id, pattern }) => {
      const relative = new RegExp(pattern, "g");
      const blank = "0".repeat(id.length);
      const clean = (s: string) => s.split(id).join(blank).replace(relative, "just now");
      for (const v of document.querySelectorAll("video")) v.pause();
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.nodeValue) n.nodeValue = clean(n.nodeValue);
      }
      for (const el of document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input, textarea")) {
        if (el.value) el.value = clean(el.value);
      }
      (document.activeElement as HTMLElement | null)?.blur();
    },
    { id: videoId, pattern: RELATIVE_DATE.source },
  );
}

async function signIn(context: BrowserContext, origin: string) {
  const page = await context.newPage();
  await page.goto(`${origin}/login`);
  await page.fill("[data-testid=login-email]", EMAIL);
  await page.fill("[data-testid=login-password]", PASSWORD);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== "/login"),
    page.click("[data-testid=login-submit]"),
  ]);
  await page.close();
}

async function shootAll(browser: Browser, origin: string, videoId: string, out: string) {
  for (const signedIn of [false, true]) {
    for (const width of WIDTHS) {
      const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
      try {
        if (signedIn) await signIn(context, origin);
        for (const shot of PAGES.filter((p) => p.signedIn === signedIn)) {
          const page = await context.newPage();
          await page.goto(`${origin}${shot.path(videoId)}`);
          await settle(page);
          await freeze(page, videoId);
          const file = join(out, `${shot.name}-${width}.png`);
          await page.screenshot({ path: file, fullPage: true, animations: "disabled", caret: "hide" });
          console.log(`  ${file}`);
          await page.close();
        }
      } finally {
        await context.close();
      }
    }
  }
}

/** A private copy of a fresh site build, so a concurrent `astro build` cannot swap it mid-run. */
function privateSiteBuild(): { config: string; dir: string } {
  buildSite();
  const dir = mkdtempSync(join(tmpdir(), "streamline-shots-site-"));
  cpSync(join(ROOT, "site", "dist"), join(dir, "dist"), { recursive: true });
  return { config: join(dir, "dist", "server", "wrangler.json"), dir };
}

async function capture(out: string) {
  mkdirSync(out, { recursive: true });
  const site = privateSiteBuild();
  const dataDir = mkdtempSync(join(tmpdir(), "streamline-shots-"));
  const secret = () => randomBytes(32).toString("hex");
  const [stack, fixtures] = await Promise.all([
    startStack({
      port: await freePort(),
      s3Port: await freePort(),
      transcoderPort: await freePort(),
      dataDir,
      secrets: { JWT_SECRET: secret(), DELIVERY_SECRET: secret(), TRANSCODER_SECRET: secret() },
      siteConfig: site.config,
      quiet: true,
      log: () => {},
    }),
    ensureFixtures(["sd-854x480-4s.mp4"]),
  ]);
  let browser: Browser | undefined;
  try {
    const res = await fetch(`${stack.origin}/api/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: EMAIL, handle: HANDLE, password: PASSWORD }),
    });
    if (res.status !== 201) throw new Error(`signup: ${res.status} ${await res.text()}`);
    const { accessToken } = (await res.json()) as { accessToken: string };
    const { videoId } = await uploadFile(stack.origin, fixtures["sd-854x480-4s.mp4"], {
      title: TITLE,
      token: accessToken,
    });
    await waitForVideo(stack.origin, videoId, (v) => v.status === "ready", 180_000, accessToken);
    console.log(`stack ${stack.origin}, video ${videoId} ready; shooting into ${out}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    await shootAll(browser, stack.origin, videoId, out);
  } catch (err) {
    console.error(stack.output());
    throw err;
  } finally {
    await browser?.close();
    await stack.stop();
    for (const dir of [site.dir, dataDir]) rmSync(dir, { recursive: true, force: true });
  }
}

/** Share (0–100) of pixels that differ; 100 when the sizes differ. */
export async function diffPercent(a: string, b: string): Promise<{ percent: number; note: string }> {
  const { PNG } = await import("pngjs");
  const { default: pixelmatch } = await import("pixelmatch");
  const left = PNG.sync.read(readFileSync(a));
  const right = PNG.sync.read(readFileSync(b));
  if (left.width !== right.width || left.height !== right.height) {
    return { percent: 100, note: `size ${left.width}×${left.height} vs ${right.width}×${right.height}` };
  }
  const changed = pixelmatch(left.data, right.data, undefined, left.width, left.height, { threshold: 0.1 });
  return { percent: (changed / (left.width * left.height)) * 100, note: `${changed} px` };
}

async function compare(dirA: string, dirB: string, threshold: number): Promise<boolean> {
  const names = [...new Set([...readdirSync(dirA), ...readdirSync(dirB)])]
    .filter((n) => n.endsWith(".png"))
    .sort();
  let same = true;
  for (const name of names) {
    const a = join(dirA, name);
    const b = join(dirB, name);
    if (!existsSync(a) || !existsSync(b)) {
      console.log(`${name.padEnd(24)} missing in ${existsSync(a) ? dirB : dirA}`);
      same = false;
      continue;
    }
    const { percent, note } = await diffPercent(a, b);
    const ok = percent <= threshold;
    same &&= ok;
    console.log(
      `${name.padEnd(24)} ${percent.toFixed(3).padStart(8)} %  ${ok ? "same" : "DIFFERENT"}  (${note})`,
    );
  }
  return same;
}

async function main() {
  const { values, positionals } = parseArgs({
    options: {
      out: { type: "string" },
      compare: { type: "boolean" },
      threshold: { type: "string", default: "0.1" },
    },
    allowPositionals: true,
  });
  if (values.compare) {
    const [a, b] = positionals;
    if (!a || !b) throw new Error("usage: node scripts/screenshots.ts --compare <dirA> <dirB>");
    process.exitCode = (await compare(resolve(a), resolve(b), Number(values.threshold))) ? 0 : 1;
    return;
  }
  if (!values.out)
    throw new Error("usage: node scripts/screenshots.ts --out <dir> | --compare <dirA> <dirB>");
  await capture(resolve(values.out));
}

if (import.meta.main) {
  await main();
}
