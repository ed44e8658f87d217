/**
 * Shared e2e plumbing: tool checks (fail in CI, skip with a notice elsewhere), free
 * ports, a whole-stack launcher, and an uploader that speaks the public API exactly as
 * the browser does (presigned PUTs straight to S3, ETags reported to the edge).
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Stack, type StackOptions, startStack } from "../scripts/lib/stack.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--autoplay-policy=no-user-gesture-required",
];

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

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export const E2E_SECRETS = {
  JWT_SECRET: randomBytes(32).toString("hex"),
  DELIVERY_SECRET: randomBytes(32).toString("hex"),
  TRANSCODER_SECRET: randomBytes(32).toString("hex"),
};

export async function startE2EStack(extra: Partial<StackOptions> = {}): Promise<Stack & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "streamline-e2e-"));
  const stack = await startStack({
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

type Json = Record<string, unknown>;

export async function api<T = Json>(
  origin: string,
  path: string,
  init: RequestInit & { json?: unknown; token?: string } = {},
) {
  const { json, token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  if (token) headers.set("authorization", `Bearer ${token}`);
  const res = await fetch(`${origin}${path}`, {
    ...rest,
    headers,
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}

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

type PartUrl = { partNumber: number; url: string };

/**
 * Uploads a file through presigned multipart URLs, `concurrency` parts at a time (asking
 * `/urls` for parts past the first 100 the create response carries), then completes it
 * unless `complete: false`. Returns the videoId, part count and file size.
 */
export async function uploadFile(
  origin: string,
  file: string,
  opts: {
    title?: string;
    contentType?: string;
    token?: string;
    concurrency?: number;
    complete?: boolean;
  } = {},
) {
  const size = statSync(file).size;
  const auth = opts.token ? { token: opts.token } : {};
  const created = await api<{ videoId: string; partSize: number; partCount: number; parts: PartUrl[] }>(
    origin,
    "/api/uploads",
    {
      method: "POST",
      json: {
        filename: file.split("/").pop(),
        size,
        contentType: opts.contentType ?? "video/mp4",
        title: opts.title,
      },
      ...auth,
    },
  );
  if (created.status !== 201)
    throw new Error(`create upload: ${created.status} ${JSON.stringify(created.body)}`);
  const { videoId, partSize, partCount } = created.body;
  const urls = new Map(created.body.parts.map((p) => [p.partNumber, p.url]));
  const fd = openSync(file, "r");
  try {
    let next = 1;
    const worker = async () => {
      for (let n = next++; n <= partCount; n = next++) {
        if (!urls.has(n)) {
          const partNumbers = Array.from({ length: Math.min(100, partCount - n + 1) }, (_, i) => n + i);
          const more = await api<{ parts: PartUrl[] }>(origin, `/api/uploads/${videoId}/urls`, {
            method: "POST",
            json: { partNumbers },
            ...auth,
          });
          if (more.status !== 200) throw new Error(`urls: ${more.status} ${JSON.stringify(more.body)}`);
          for (const p of more.body.parts) urls.set(p.partNumber, p.url);
        }
        const offset = (n - 1) * partSize;
        const length = Math.min(partSize, size - offset);
        const buf = Buffer.alloc(length);
        readSync(fd, buf, 0, length, offset);
        const put = await fetch(urls.get(n)!, { method: "PUT", body: buf });
        if (put.status !== 200) throw new Error(`PUT part ${n}: ${put.status} ${await put.text()}`);
        const rec = await api(origin, `/api/uploads/${videoId}/parts/${n}`, {
          method: "PUT",
          json: { etag: put.headers.get("etag"), size: length },
          ...auth,
        });
        if (rec.status !== 204)
          throw new Error(`record part ${n}: ${rec.status} ${JSON.stringify(rec.body)}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, partCount) }, worker));
  } finally {
    closeSync(fd);
  }
  if (opts.complete !== false) {
    const done = await api(origin, `/api/uploads/${videoId}/complete`, { method: "POST", ...auth });
    if (done.status !== 202) throw new Error(`complete: ${done.status} ${JSON.stringify(done.body)}`);
  }
  return { videoId, partCount, size };
}

export async function waitForVideo<T extends Json>(
  origin: string,
  videoId: string,
  until: (v: T) => boolean,
  timeoutMs = 180_000,
  token?: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    const res = await api<T>(origin, `/api/videos/${videoId}`, token ? { token } : {});
    last = res.body;
    if (res.status === 200 && until(res.body)) return res.body;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`video ${videoId} did not reach the expected state; last: ${JSON.stringify(last)}`);
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
