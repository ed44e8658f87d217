/**
 * Shared e2e plumbing: tool checks (fail in CI, skip with a notice elsewhere), free
 * ports, a whole-stack launcher, and an uploader that speaks the public API exactly as
 * the browser does (presigned PUTs straight to S3, ETags reported to the edge).
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_FLAGS } from "../scripts/lib/chromium.ts";
import { api } from "../scripts/lib/platform-client.ts";
import { ROOT, type Stack, type StackOptions, startStack } from "../scripts/lib/stack.ts";
import { freePort } from "../transcoder/src/testing/redis.ts";

export { CHROMIUM };
export const CHROMIUM_ARGS = [...CHROMIUM_FLAGS, "--autoplay-policy=no-user-gesture-required"];

function hasCommand(cmd: string, args = ["-version"]) {
  return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}

/** In CI a missing tool is an error; on a laptop the suite is skipped with a clear notice. */
export function toolsAvailable(suite: string, needs: { ffmpeg?: boolean; chromium?: boolean }): boolean {
  const missing: string[] = [];
  if (needs.ffmpeg && !(hasCommand("ffmpeg") && hasCommand("ffprobe"))) missing.push("ffmpeg/ffprobe");
  if (needs.chromium && !existsSync(CHROMIUM)) missing.push(`chromium (${CHROMIUM})`);
  if (missing.length === 0) return true;
  const msg = `${suite}: missing ${missing.join(", ")}`;
  if (process.env.CI) throw new Error(`${msg} — CI must install it (see .ci/run)`);
  console.warn(`\n⚠ SKIPPING ${msg}. Install it (apt-get install ffmpeg chromium) to run this suite.\n`);
  return false;
}

/** One definition of "a free loopback port", shared with the transcoder's Redis tests. */
export { freePort } from "../transcoder/src/testing/redis.ts";

export const E2E_SECRETS = {
  JWT_SECRET: randomBytes(32).toString("hex"),
  DELIVERY_SECRET: randomBytes(32).toString("hex"),
  TRANSCODER_SECRET: randomBytes(32).toString("hex"),
};

/**
 * A whole stack on free ports and its own data dir, removed on `stop()`. Unless `siteConfig`
 * is given, the site is served from this stack's own copy of the build (`E2E_SITE_DIST`, or
 * `site/dist`): another build of the shared tree must not swap it mid-test.
 */
export async function startE2EStack(extra: Partial<StackOptions> = {}): Promise<Stack & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "streamline-e2e-"));
  const siteCopy = join(dataDir, "site");
  if (!extra.siteConfig)
    cpSync(process.env.E2E_SITE_DIST ?? join(ROOT, "site", "dist"), join(siteCopy, "dist"), {
      recursive: true,
    });
  const stack = await startStack({
    siteConfig: join(siteCopy, "dist", "server", "wrangler.json"),
    port: await freePort(),
    s3Port: await freePort(),
    transcoderPort: await freePort(),
    dataDir,
    secrets: E2E_SECRETS,
    quiet: true,
    log: () => {},
    ...extra,
  });
  return {
    ...stack,
    dataDir,
    async stop() {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A 10 s 720p source big enough (> 8 MiB) to need two multipart parts. */
export function makeTwoPartSource(dir: string): string {
  const out = join(dir, "upload-720p-10s.mp4");
  if (existsSync(out)) return out;
  const res = spawnSync(
    "ffmpeg",
    [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=1280x720:rate=30",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=440:sample_rate=48000",
      "-t",
      "10",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-b:v",
      "9M",
      "-maxrate",
      "9M",
      "-bufsize",
      "9M",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-b:a",
      "128k",
      "-movflags",
      "+faststart",
      out,
    ],
    { encoding: "utf8" },
  );
  if (res.status !== 0) throw new Error(`ffmpeg failed: ${res.stderr}`);
  return out;
}

/** The check after every fault test (issue 17): orphans, temp files, nothing stuck after a sweep. */
export { assertCleanAfterFault, listKeys, readVideos, runSweeper } from "../scripts/lib/after-fault.ts";
export { api, type Json, uploadFile, waitForVideo } from "../scripts/lib/platform-client.ts";

export const E2E_PASSWORD = "correct horse battery staple";

/** Creates an account through the public API; returns its access token (15 min) and credentials. */
export async function signUpViaApi(origin: string, prefix = "e2e") {
  const handle = `${prefix}_${randomBytes(4).toString("hex")}`;
  const email = `${handle}@example.com`;
  const res = await api<{ accessToken: string; user: { id: string } }>(origin, "/api/auth/signup", {
    method: "POST",
    json: { email, handle, password: E2E_PASSWORD },
  });
  if (res.status !== 201) throw new Error(`signup: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.accessToken, userId: res.body.user.id, email, handle, password: E2E_PASSWORD };
}

/** Async on purpose: a blocking spawnSync would stop this process draining the stack's log pipes. */
export function ffprobeDuration(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "json", url]);
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`ffprobe ${url} exited ${code}: ${err}`));
      resolve(Number((JSON.parse(out) as { format: { duration: string } }).format.duration));
    });
  });
}

/** Chromium with one page whose uncaught errors are collected (`pageErrors`, prefixed with the path). */
export async function openChromium(viewport = { width: 1280, height: 900 }) {
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport });
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(`${new URL(page.url()).pathname}: ${e.message}`));
  return { browser, page, pageErrors };
}

/** Where page screenshots go: `reports/screenshots/` at the repo root (CI keeps `reports/`). */
export const SCREENSHOT_DIR = join(ROOT, "reports", "screenshots");

/**
 * Screenshots the page at a phone (375 px) and a desktop (1280 px) width, full page, as
 * `<name>-375.png` and `<name>-1280.png`, then restores the viewport. Returns the paths.
 */
export async function screenshotWidths(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const before = page.viewportSize();
  const paths: string[] = [];
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 800 });
    const path = join(SCREENSHOT_DIR, `${name}-${width}.png`);
    // From the top: a full-page shot taken while scrolled paints the sticky header mid-page.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path, fullPage: true, animations: "disabled" });
    paths.push(path);
  }
  if (before) await page.setViewportSize(before);
  return paths;
}
