/**
 * Starts the whole local platform: embedded S3, the transcoder, and wrangler dev serving
 * the edge Worker with the Astro site Worker behind its SITE service binding — one origin.
 * Used by `npm run dev` (ports 8787/9000/8790, data under .data/) and by the e2e tests
 * (their own ports and a temp dir). Every child is in its own process group so stopping
 * the stack stops everything it started.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { envFileText } from "./edge-env.ts";
import { type RunningMailSink, startMailSink } from "./mail-sink.ts";
import { type RunningS3, S3_CREDENTIALS, startS3Server } from "./s3-server.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const SITE_CONFIG = join(ROOT, "site/dist/server/wrangler.json");

export interface StackOptions {
  port: number;
  s3Port: number;
  transcoderPort: number;
  dataDir: string;
  secrets: { JWT_SECRET: string; DELIVERY_SECRET: string; TRANSCODER_SECRET: string };
  /** Extra env for the transcoder (e.g. REDIS_URL, MAX_JOBS). */
  transcoderEnv?: Record<string, string>;
  /** Don't start a transcoder; the edge dispatches jobs here instead (benchmarks that play the fleet). */
  externalTranscoderUrl?: string;
  /** Extra `--var`s for the edge Worker (e.g. JOB_LEASE_SECONDS in tests). */
  edgeVars?: Record<string, string>;
  /**
   * Edge variables from the caller's environment (`npm run dev`: `edgeOverridesFrom(process.env)`);
   * applied last, so they win over wrangler.toml, the stack's defaults and `edgeVars`.
   */
  edgeOverrides?: Record<string, string>;
  /** Start the local SMTP sink (port 0 = any) and point SMTP_URL / DEV_MAIL_URL at it. */
  mailSink?: { smtpPort?: number; httpPort?: number; directory?: string };
  /**
   * The built site's wrangler.json (default `site/dist/server/wrangler.json`). Long runs
   * pass a copy of `site/dist`, so a concurrent `astro build` cannot swap it under them.
   */
  siteConfig?: string;
  /**
   * The edge Worker's wrangler config (default `wrangler.toml`). Long benches pass a copy that
   * runs a bundle made at their start (bench/lib/frozen-edge.ts), so edits do not reload it.
   */
  edgeConfig?: string;
  /** Inherit child output (dev) or keep it in memory for failure reports (tests). */
  quiet?: boolean;
  log?: (line: string) => void;
}

export interface Stack {
  origin: string;
  s3Endpoint: string;
  transcoderUrl: string;
  /** The mail sink's HTTP listing (`GET /mails`), when started. */
  mailSinkUrl?: string;
  /** Last lines each child printed (for test failure messages). */
  output(): string;
  stopTranscoder(signal?: NodeJS.Signals): Promise<void>;
  startTranscoder(): ChildProcess;
  /** Stops wrangler dev (edge + site) only; S3, the transcoder and the persisted data stay. */
  stopEdge(signal?: NodeJS.Signals): Promise<void>;
  /** Starts wrangler dev again on the same port and persist dir; resolves once it answers. */
  startEdge(): Promise<void>;
  stop(): Promise<void>;
}

const OFFLINE_ENV = {
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  ASTRO_TELEMETRY_DISABLED: "1",
  NO_COLOR: "1",
};

export function wranglerBin() {
  return join(ROOT, "node_modules/wrangler/bin/wrangler.js");
}

export function buildSite(log: (l: string) => void = console.log) {
  log("building the site (astro build)…");
  const res = spawnSync("npm", ["run", "build", "-w", "site"], {
    cwd: ROOT,
    env: { ...process.env, ...OFFLINE_ENV },
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  if (res.status !== 0) throw new Error(`site build failed:\n${res.stdout}\n${res.stderr}`);
}

/**
 * Applies the D1 migrations to a local persist directory. A fresh directory (every e2e
 * stack, every bench) gets a copy of a template database that one `wrangler d1 migrations
 * apply` built for this exact set of migrations (keyed by their hash, kept in the temp
 * dir): a copy takes milliseconds, wrangler about 15 s. A directory that already holds a
 * database (`npm run dev`'s .data/) goes through wrangler, which applies only what is new.
 */
export function applyMigrations(persistTo: string) {
  if (existsSync(join(persistTo, "v3", "d1"))) return runMigrations(persistTo);
  const template = join(tmpdir(), `streamline-d1-${migrationsHash()}`);
  if (!existsSync(template)) {
    const building = `${template}.${process.pid}.${Date.now()}`;
    runMigrations(building);
    try {
      renameSync(building, template);
    } catch {
      // Another process built the same template first; theirs is as good as ours.
      rmSync(building, { recursive: true, force: true });
    }
  }
  cpSync(template, persistTo, { recursive: true });
}

function migrationsHash(): string {
  const hash = createHash("sha256");
  const dir = join(ROOT, "migrations");
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith(".sql")) continue;
    hash
      .update(name)
      .update("\0")
      .update(readFileSync(join(dir, name)))
      .update("\0");
  }
  hash.update(readFileSync(join(ROOT, "wrangler.toml")));
  return hash.digest("hex").slice(0, 16);
}

function runMigrations(persistTo: string) {
  const res = spawnSync(
    process.execPath,
    [
      wranglerBin(),
      "d1",
      "migrations",
      "apply",
      "streamline",
      "--local",
      "--persist-to",
      persistTo,
      "-c",
      "wrangler.toml",
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...OFFLINE_ENV, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
    },
  );
  if (res.status !== 0) throw new Error(`D1 migrations failed:\n${res.stdout}\n${res.stderr}`);
}

async function waitForHttp(url: string, timeoutMs: number, child?: ChildProcess) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      return;
    } catch {
      await sleep(200);
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
    }, 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolvePromise();
    });
    try {
      process.kill(-child.pid!, signal);
    } catch {
      clearTimeout(timer);
      resolvePromise();
    }
  });
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const tails: Record<string, string[]> = {};
  const capture = (name: string, child: ChildProcess) => {
    tails[name] ??= [];
    const buf = tails[name];
    const push = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line.trim()) continue;
        buf.push(line);
        if (buf.length > 200) buf.shift();
        if (!opts.quiet) process.stdout.write(`[${name}] ${line}\n`);
      }
    };
    child.stdout?.on("data", push);
    child.stderr?.on("data", push);
  };

  const siteConfig = opts.siteConfig ?? SITE_CONFIG;
  if (!existsSync(siteConfig)) buildSite(log);
  const persistTo = join(opts.dataDir, "wrangler");
  mkdirSync(persistTo, { recursive: true });
  applyMigrations(persistTo);

  let s3: RunningS3 | undefined;
  let mail: RunningMailSink | undefined;
  const children: ChildProcess[] = [];
  let transcoder: ChildProcess | undefined;
  const s3Endpoint = `http://127.0.0.1:${opts.s3Port}`;
  const transcoderUrl = opts.externalTranscoderUrl ?? `http://127.0.0.1:${opts.transcoderPort}`;
  const origin = `http://127.0.0.1:${opts.port}`;

  const startTranscoder = () => {
    const child = spawn(process.execPath, [join(ROOT, "transcoder/src/main.ts")], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        // Development mode: the embedded S3's published credentials are allowed (ADR 0010).
        STREAMLINE_DEV: "1",
        HOST: "127.0.0.1",
        PORT: String(opts.transcoderPort),
        EDGE_URL: origin,
        TRANSCODER_SECRET: opts.secrets.TRANSCODER_SECRET,
        S3_ENDPOINT: s3Endpoint,
        S3_BUCKET: "streamline",
        S3_REGION: "us-east-1",
        S3_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
        S3_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
        ...opts.transcoderEnv,
      },
    });
    capture("transcoder", child);
    transcoder = child;
    children.push(child);
    return child;
  };

  let edge: ChildProcess | undefined;
  let startEdge = async () => {};
  /** wrangler dev serving edge + site on `opts.port`, data in `persistTo` (kept across restarts). */
  const spawnEdge = (envFile: string) => {
    const wrangler = spawn(
      process.execPath,
      [
        wranglerBin(),
        "dev",
        "-c",
        opts.edgeConfig ?? "wrangler.toml",
        "-c",
        siteConfig,
        "--ip",
        "127.0.0.1",
        "--port",
        String(opts.port),
        "--persist-to",
        persistTo,
        "--show-interactive-dev-session=false",
        "--test-scheduled",
        // Vars and secrets via a 0600 file rather than argv, where any local user could read them.
        "--env-file",
        envFile,
      ],
      {
        cwd: ROOT,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...OFFLINE_ENV },
      },
    );
    capture("wrangler", wrangler);
    children.push(wrangler);
    return wrangler;
  };

  const stop = async () => {
    await Promise.all(children.map((c) => killGroup(c)));
    await s3?.close().catch(() => {});
    await mail?.close().catch(() => {});
  };

  try {
    s3 = await startS3Server({ directory: join(opts.dataDir, "s3"), port: opts.s3Port });
    log(`s3        ${s3Endpoint} (data in ${join(opts.dataDir, "s3")})`);
    if (!opts.externalTranscoderUrl) {
      startTranscoder();
      await waitForHttp(`${transcoderUrl}/healthz`, 20_000, transcoder);
    }
    log(`transcoder ${transcoderUrl}`);
    if (opts.mailSink) {
      mail = await startMailSink(opts.mailSink);
      log(`mail sink  ${mail.smtpUrl} (caught mails: ${origin}/dev/mail)`);
    }

    const vars = {
      S3_ENDPOINT: s3Endpoint,
      S3_PUBLIC_ENDPOINT: s3Endpoint,
      TRANSCODER_URL: transcoderUrl,
      S3_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
      ...(mail ? { SMTP_URL: mail.smtpUrl, DEV_MAIL_URL: mail.httpUrl } : {}),
      ...opts.secrets,
      ...opts.edgeVars,
      ...opts.edgeOverrides,
    };
    const envFile = join(opts.dataDir, "edge.env");
    writeFileSync(envFile, envFileText(vars), { mode: 0o600 });
    chmodSync(envFile, 0o600);
    startEdge = async () => {
      edge = spawnEdge(envFile);
      await waitForHttp(`${origin}/api/health`, 60_000, edge);
    };
    await startEdge();
    log(`edge+site ${origin}`);
  } catch (err) {
    await stop();
    const tail = Object.entries(tails)
      .map(([n, l]) => `--- ${n}\n${l.slice(-40).join("\n")}`)
      .join("\n");
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${tail}`);
  }

  return {
    origin,
    s3Endpoint,
    transcoderUrl,
    ...(mail ? { mailSinkUrl: mail.httpUrl } : {}),
    output: () =>
      Object.entries(tails)
        .map(([n, l]) => `--- ${n}\n${l.slice(-60).join("\n")}`)
        .join("\n"),
    async stopTranscoder(signal: NodeJS.Signals = "SIGTERM") {
      if (transcoder) await killGroup(transcoder, signal);
    },
    startTranscoder,
    async stopEdge(signal: NodeJS.Signals = "SIGTERM") {
      if (edge) await killGroup(edge, signal);
    },
    startEdge: () => startEdge(),
    stop,
  };
}
