/**
 * `npm run bench:site` (ADR 0020): what the site costs a visitor, in headless Chromium on one
 * local stack (wrangler dev via scripts/lib/stack.ts, a private copy of the built site).
 *
 *  - bytes:  JS and CSS per page, gzip (each file as Chromium fetched it, gzipped at level 9 here,
 *            plus inline <script>/<style>); hls.js counted apart (targets: home ≤ 50 KB,
 *            watch ≤ 120 KB without hls.js).
 *  - watch:  time to first frame — navigation start → the first `requestVideoFrameCallback` of the
 *            page's <video> (the watch page autoplays) — p50/p90 of RUNS (default 10) cold loads,
 *            each in a fresh browser context; LCP and CLS (PerformanceObserver) of the same loads;
 *            and the median of each step on the way there (HTML, scripts, hls.js, the player's
 *            `sl:*` marks, master → playlist → init → first segment → first frame; bench/lib/first-frame.ts).
 *  - home:   LCP and CLS of RUNS cold loads of `/` with a grid of posters.
 *
 * Figures go to bench/results/site.json and a row in bench/RESULTS.md, with the 1-minute load
 * average beside them (the VM's 2 cores are shared). Targets: first frame ≤ 1 s, CLS ≤ 0.05.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type Browser, chromium, type Page } from "playwright-core";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  signUpViaApi,
  startE2EStack,
  uploadFile,
  waitForVideo,
} from "../e2e/support.ts";
import { ROOT } from "../scripts/lib/stack.ts";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import {
  FIRST_FRAME_PROBE,
  type FirstFrameBreakdown,
  medianBreakdown,
  readBreakdown,
} from "./lib/first-frame.ts";
import { appendResultsRow, load1, round, toJson } from "./lib/results.ts";

const RUNS = Number(process.env.RUNS ?? 10);
const HOME_VIDEOS = Number(process.env.HOME_VIDEOS ?? 8);

interface PageBytes {
  js: number;
  css: number;
  hls: number;
  files: number;
}

interface LoadFigures {
  lcpMs: number;
  cls: number;
  firstFrameMs: number | null;
  /** The watch page's path to its first frame, step by step (ADR 0033). */
  breakdown?: FirstFrameBreakdown;
}

const gz = (text: string | Buffer) => gzipSync(text, { level: 9 }).length;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

/** JS/CSS bytes one cold load of `url` fetched (gzip), hls.js apart, inline code included. */
async function pageBytes(browser: Browser, url: string): Promise<PageBytes> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const bytes: PageBytes = { js: 0, css: 0, hls: 0, files: 0 };
  const pending: Promise<void>[] = [];
  page.on("response", (res) => {
    const type = res.request().resourceType();
    if (type !== "script" && type !== "stylesheet") return;
    pending.push(
      res.body().then(
        (body) => {
          const size = gz(body);
          bytes.files++;
          if (type === "stylesheet") bytes.css += size;
          else if (/\/hls\.[\w-]+\.js$/.test(res.url())) bytes.hls += size;
          else bytes.js += size;
        },
        () => undefined, // a response navigated away from (a redirect): not part of this page
      ),
    );
  });
  await page.goto(url, { waitUntil: "networkidle" });
  const inline = await page.evaluate(() => ({
    js: [...document.querySelectorAll("script:not([src])")].map((s) => s.textContent ?? "").join("\n"),
    css: [...document.querySelectorAll("style")].map((s) => s.textContent ?? "").join("\n"),
  }));
  await Promise.all(pending);
  if (inline.js.trim()) bytes.js += gz(inline.js);
  if (inline.css.trim()) bytes.css += gz(inline.css);
  await context.close();
  return bytes;
}

/** One cold load: LCP, CLS and (where there is a video) the first frame, in ms from navigation start. */
async function coldLoad(browser: Browser, url: string, video: boolean): Promise<LoadFigures> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(FIRST_FRAME_PROBE);
  const page: Page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: "load" });
    if (video) {
      await page.waitForFunction(
        () => (window as { __bench?: { firstFrame: number | null } }).__bench?.firstFrame != null,
        null,
        {
          timeout: 30_000,
        },
      );
    }
    // Let late shifts and the final LCP candidate land.
    await page.waitForTimeout(1500);
    const b = await page.evaluate(
      () =>
        (window as unknown as { __bench: { lcp: number; cls: number; firstFrame: number | null } }).__bench,
    );
    const breakdown = video ? await page.evaluate(readBreakdown) : undefined;
    return { lcpMs: b.lcp, cls: b.cls, firstFrameMs: b.firstFrame, ...(breakdown ? { breakdown } : {}) };
  } finally {
    await context.close();
  }
}

async function loads(browser: Browser, url: string, video: boolean) {
  const runs: LoadFigures[] = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(await coldLoad(browser, url, video));
    process.stdout.write(".");
  }
  const frames = runs.map((r) => r.firstFrameMs).filter((v): v is number => v !== null);
  return {
    runs: runs.length,
    lcpP50Ms: round(
      percentile(
        runs.map((r) => r.lcpMs),
        50,
      ),
      0,
    ),
    clsMax: round(Math.max(...runs.map((r) => r.cls)), 4),
    clsP50: round(
      percentile(
        runs.map((r) => r.cls),
        50,
      ),
      4,
    ),
    ...(video
      ? {
          firstFrameP50Ms: round(percentile(frames, 50), 0),
          firstFrameP90Ms: round(percentile(frames, 90), 0),
          firstFrames: frames,
          // Median start→end (ms from navigation) of each step on the way to the first frame.
          breakdown: medianBreakdown(runs.flatMap((r) => (r.breakdown ? [r.breakdown] : []))),
        }
      : {}),
  };
}

async function seed(origin: string) {
  const [fixtures, account] = await Promise.all([
    ensureFixtures(["clip-640x360-2s.mp4", "landscape-1080p-6s.mp4"]),
    signUpViaApi(origin, "bench"),
  ]);
  const ids: string[] = [];
  for (let i = 0; i < HOME_VIDEOS; i++) {
    const file = i === HOME_VIDEOS - 1 ? fixtures["landscape-1080p-6s.mp4"] : fixtures["clip-640x360-2s.mp4"];
    ids.push(
      (await uploadFile(origin, file, { title: `Bench video ${i + 1}`, token: account.token })).videoId,
    );
  }
  await Promise.all(
    ids.map((id) =>
      waitForVideo<{ status: string }>(origin, id, (v) => v.status === "ready", 600_000, account.token),
    ),
  );
  return { watchId: ids[ids.length - 1]!, handle: account.handle };
}

const kb = (n: number) => `${round(n / 1024, 1)} KB`;

async function main() {
  const siteCopy = mkdtempSync(join(tmpdir(), "streamline-bench-site-"));
  const siteConfig = join(siteCopy, "dist", "server", "wrangler.json");
  // site/dist may be mid-rebuild (another run): copy until the copy is whole.
  const whole = () => existsSync(siteConfig) && existsSync(join(siteCopy, "dist", "client", "_headers"));
  for (let tries = 0; !whole(); tries++) {
    if (tries > 40) throw new Error("site/dist has no server/wrangler.json: run npm run build:site");
    if (tries) await new Promise((r) => setTimeout(r, 3000));
    rmSync(join(siteCopy, "dist"), { recursive: true, force: true });
    cpSync(join(ROOT, "site", "dist"), join(siteCopy, "dist"), { recursive: true });
  }
  const stack = await startE2EStack({ siteConfig });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const load1Start = await load1();
    const { watchId, handle } = await seed(stack.origin);
    console.log(`seeded ${HOME_VIDEOS} videos; measuring`);
    const pages = {
      home: "/",
      watch: `/watch/${watchId}`,
      channel: `/c/${handle}`,
      login: "/login",
    };
    const bytes: Record<string, PageBytes> = {};
    for (const [name, path] of Object.entries(pages))
      bytes[name] = await pageBytes(browser, `${stack.origin}${path}`);
    const watch = await loads(browser, `${stack.origin}${pages.watch}`, true);
    const home = await loads(browser, `${stack.origin}${pages.home}`, false);
    const result = {
      date: new Date().toISOString(),
      load1Start,
      bytes,
      watch,
      home,
      load1End: await load1(),
    };
    console.log(`\n${toJson(result)}`);
    mkdirSync(join(ROOT, "bench/results"), { recursive: true });
    writeFileSync(join(ROOT, "bench/results/site.json"), `${toJson(result)}\n`);
    await appendResultsRow(
      "## Site: bytes, first frame, LCP, CLS (`npm run bench:site`)",
      [
        "Headless Chromium on the local stack (wrangler dev, loopback), cold loads in fresh contexts at 1280×800.",
        "JS/CSS: every script and stylesheet the page fetched plus inline code, gzip -9 (hls.js apart: it loads",
        `only on pages with a player). First frame: navigation start → the first presented frame of the watch`,
        `page's <video> (autoplay), p50/p90 of ${RUNS}. LCP p50 and worst CLS of the same loads. Targets: home ≤ 50 KB,`,
        "watch ≤ 120 KB without hls.js, first frame ≤ 1 s, CLS ≤ 0.05.",
        "",
        "| date | home JS + CSS | watch JS + CSS (+ hls.js) | channel JS + CSS | first frame p50 / p90 | LCP home / watch | CLS home / watch (worst) | load 1m |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
      ],
      `| ${result.date.slice(0, 10)} | ${kb(bytes.home!.js)} + ${kb(bytes.home!.css)} | ${kb(bytes.watch!.js)} + ${kb(bytes.watch!.css)} (+ ${kb(bytes.watch!.hls)}) | ${kb(bytes.channel!.js)} + ${kb(bytes.channel!.css)} | ${watch.firstFrameP50Ms} / ${watch.firstFrameP90Ms} ms | ${home.lcpP50Ms} / ${watch.lcpP50Ms} ms | ${home.clsMax} / ${watch.clsMax} | ${load1Start} → ${result.load1End} |`,
    );
  } finally {
    await browser.close();
    await stack.stop();
    rmSync(siteCopy, { recursive: true, force: true });
  }
}

await main();
