/**
 * Finds the ffmpeg/ffprobe binaries (DESIGN "ffmpeg"): FFMPEG_PATH/FFPROBE_PATH →
 * system `ffmpeg` ≥ 5 on PATH → the npm installer packages, with a loud warning because
 * that build is from 2018 and must never see untrusted uploads in production.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { log } from "../log.ts";

const execFileAsync = promisify(execFile);

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
  source: "env" | "system" | "npm";
  /** Parsed from `ffmpeg -version`; git snapshots ("N-…") count as very new. */
  version: { major: number; minor: number; raw: string };
}

export class FfmpegNotFoundError extends Error {
  override name = "FfmpegNotFoundError";
}

const MIN_SYSTEM_MAJOR = 5;

/** "ffmpeg version 5.1.9-0+deb12u1 …" → 5.1; "ffmpeg version N-113-gabc" → 99.0. */
export function parseFfmpegVersion(firstLine: string): { major: number; minor: number; raw: string } | null {
  const m = /version\s+(\S+)/.exec(firstLine);
  if (!m?.[1]) return null;
  const raw = m[1];
  if (/^N-/.test(raw)) return { major: 99, minor: 0, raw };
  const v = /^n?(\d+)\.(\d+)/.exec(raw);
  if (!v) return null;
  return { major: Number(v[1]), minor: Number(v[2]), raw };
}

async function versionOf(bin: string): Promise<FfmpegBinaries["version"] | null> {
  try {
    const { stdout } = await execFileAsync(bin, ["-hide_banner", "-version"], { timeout: 10_000 });
    return parseFfmpegVersion(stdout.split("\n")[0] ?? "");
  } catch {
    return null;
  }
}

function npmBinary(pkg: string): string | null {
  try {
    const require = createRequire(import.meta.url);
    const mod: unknown = require(pkg);
    if (mod && typeof mod === "object" && "path" in mod && typeof mod.path === "string") return mod.path;
  } catch {
    // optional dependency not installed (or unsupported platform): fall through
  }
  return null;
}

export interface LocateEnv {
  FFMPEG_PATH?: string | undefined;
  FFPROBE_PATH?: string | undefined;
}

let cached: Promise<FfmpegBinaries> | undefined;

/** Memoised per process: the answer cannot change while we run. */
export function locateFfmpeg(env: LocateEnv = process.env): Promise<FfmpegBinaries> {
  cached ??= resolveBinaries(env).catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function resolveBinaries(env: LocateEnv): Promise<FfmpegBinaries> {
  if (env.FFMPEG_PATH || env.FFPROBE_PATH) {
    const ffmpeg = env.FFMPEG_PATH ?? "ffmpeg";
    const ffprobe = env.FFPROBE_PATH ?? "ffprobe";
    const version = await versionOf(ffmpeg);
    if (!version) throw new FfmpegNotFoundError(`FFMPEG_PATH=${ffmpeg} does not run \`ffmpeg -version\``);
    if (!(await versionOf(ffprobe))) {
      throw new FfmpegNotFoundError(`FFPROBE_PATH=${ffprobe} does not run \`ffprobe -version\``);
    }
    return { ffmpeg, ffprobe, source: "env", version };
  }

  const system = await versionOf("ffmpeg");
  if (system && system.major >= MIN_SYSTEM_MAJOR && (await versionOf("ffprobe"))) {
    return { ffmpeg: "ffmpeg", ffprobe: "ffprobe", source: "system", version: system };
  }

  const ffmpeg = npmBinary("@ffmpeg-installer/ffmpeg");
  const ffprobe = npmBinary("@ffprobe-installer/ffprobe");
  const version = ffmpeg ? await versionOf(ffmpeg) : null;
  if (ffmpeg && ffprobe && version) {
    const banner = "!".repeat(78);
    log.warn(
      [
        banner,
        `USING THE NPM ffmpeg BUILD (${version.raw}) from @ffmpeg-installer: no system ffmpeg >= ${MIN_SYSTEM_MAJOR} found.`,
        "It is a 2018 build with known CVEs: fine for local development, NEVER for untrusted",
        "uploads in production. Install ffmpeg >= 5 (apt install ffmpeg) or set FFMPEG_PATH/FFPROBE_PATH.",
        banner,
      ].join("\n"),
      { ffmpeg, ffprobe },
    );
    return { ffmpeg, ffprobe, source: "npm", version };
  }

  const found = system ? ` (found ffmpeg ${system.raw} on PATH, need >= ${MIN_SYSTEM_MAJOR})` : "";
  throw new FfmpegNotFoundError(
    `no usable ffmpeg${found}: install ffmpeg >= ${MIN_SYSTEM_MAJOR}, set FFMPEG_PATH/FFPROBE_PATH, ` +
      "or `npm install` the optional @ffmpeg-installer packages",
  );
}

/** `-fps_mode` arrived in ffmpeg 5.1; older builds (the npm fallback) only know `-vsync`. */
export function supportsFpsMode(version: FfmpegBinaries["version"]): boolean {
  return version.major > 5 || (version.major === 5 && version.minor >= 1);
}
