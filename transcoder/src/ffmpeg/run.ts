/**
 * Typed wrapper over `child_process.spawn` for ffmpeg/ffprobe: argument arrays only (no
 * shell), `-progress pipe:1` parsing into callbacks, a bounded stderr tail attached to
 * every failure, AbortSignal + timeout (SIGKILL: ffmpeg holds no state worth flushing
 * once we have given up on the job), and resource limits applied at exec time:
 * `nice -n N` (lower CPU priority than the HTTP server and event delivery) and
 * `prlimit --as=BYTES` (address-space cap: a runaway decoder gets ENOMEM instead of
 * pulling the node into the OOM killer). Both are util-linux/coreutils programs that
 * exec the target, so the child pid is ffmpeg's own and SIGKILL reaches it directly.
 * When either program is missing the limit is skipped (logged once).
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { log } from "../log.ts";

const STDERR_TAIL_LINES = 40;

export interface FfmpegProgress {
  /** Output position in seconds (`out_time_us`). */
  outTimeSec: number;
  /** 0..100 when the expected duration is known, else undefined. */
  percent: number | undefined;
  fps: number | undefined;
  /** Encoding speed as a multiple of realtime (`speed=1.7x`). */
  speed: number | undefined;
  /** Remaining seconds estimated from speed, when known. */
  etaSec: number | undefined;
  done: boolean;
}

export interface RunOptions {
  /** Expected output duration, for percent/eta. */
  durationSec?: number;
  onProgress?: (p: FfmpegProgress) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  cwd?: string;
  /** Collect stdout (ffprobe JSON). Ignored when progress is parsed from stdout. */
  captureStdout?: boolean;
  /** Niceness for the child (0..19), via `nice -n`. */
  nice?: number | undefined;
  /** Address-space cap in bytes, via `prlimit --as`. */
  memoryBytes?: number | undefined;
}

const toolCache = new Map<string, string | null>();

/** Absolute path of `name` on PATH, or null. Cached per process. */
export function findOnPath(name: string, path = process.env.PATH ?? ""): string | null {
  const cached = toolCache.get(name);
  if (cached !== undefined) return cached;
  let found: string | null = null;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      found = join(dir, name);
      break;
    } catch {
      // not here
    }
  }
  if (!found) log.warn(`${name} not found on PATH: the matching ffmpeg limit is not applied`);
  toolCache.set(name, found);
  return found;
}

/** The command line actually spawned: `[nice -n N] [prlimit --as=B --] bin args…`. */
export function limitedCommand(
  bin: string,
  args: readonly string[],
  limits: Pick<RunOptions, "nice" | "memoryBytes">,
): { command: string; args: string[] } {
  const prefix: string[] = [];
  const nice = limits.nice ? findOnPath("nice") : null;
  if (nice && limits.nice)
    prefix.push(nice, "-n", String(Math.min(19, Math.max(0, Math.round(limits.nice)))));
  const prlimit = limits.memoryBytes ? findOnPath("prlimit") : null;
  if (prlimit && limits.memoryBytes) prefix.push(prlimit, `--as=${Math.round(limits.memoryBytes)}`, "--");
  const [command, ...rest] = [...prefix, bin, ...args];
  return { command: command as string, args: rest };
}

export interface RunResult {
  stdout: string;
  stderrTail: string;
}

export type FfmpegFailure = "exit" | "signal" | "aborted" | "timeout" | "spawn";

/** A failed ffmpeg/ffprobe run; `stderrTail` holds the last lines ffmpeg printed. */
export class FfmpegError extends Error {
  override name = "FfmpegError";
  readonly kind: FfmpegFailure;
  readonly exitCode: number | null;
  readonly stderrTail: string;
  constructor(message: string, kind: FfmpegFailure, exitCode: number | null, stderrTail: string) {
    super(stderrTail ? `${message}\n${stderrTail}` : message);
    this.kind = kind;
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }
}

/** Keeps the last `max` lines of a text stream without holding the whole stream. */
export class LineTail {
  readonly max: number;
  private lines: string[] = [];
  private partial = "";
  constructor(max = STDERR_TAIL_LINES) {
    this.max = max;
  }
  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n|\r/);
    this.partial = parts.pop() ?? "";
    for (const line of parts) {
      if (line.trim() === "") continue;
      this.lines.push(line);
      if (this.lines.length > this.max) this.lines.shift();
    }
  }
  text(): string {
    const all = this.partial.trim() ? [...this.lines, this.partial] : this.lines;
    return all.slice(-this.max).join("\n");
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function parseNumber(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number.parseFloat(raw);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Parses ffmpeg `-progress` output: blocks of `key=value` lines, each block closed by
 * `progress=continue|end`. Emits one FfmpegProgress per block.
 */
export class ProgressParser {
  private block = new Map<string, string>();
  private partial = "";
  private readonly durationSec: number | undefined;
  private readonly emit: (p: FfmpegProgress) => void;
  constructor(durationSec: number | undefined, emit: (p: FfmpegProgress) => void) {
    this.durationSec = durationSec && durationSec > 0 ? durationSec : undefined;
    this.emit = emit;
  }
  push(chunk: string): void {
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) {
      const i = line.indexOf("=");
      if (i <= 0) continue;
      const key = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (key === "progress") this.flush(value === "end");
      else this.block.set(key, value);
    }
  }
  private flush(done: boolean): void {
    // out_time_us is "N/A" before the first frame is muxed; negative while pre-rolling.
    const us = parseNumber(this.block.get("out_time_us"));
    const outTimeSec = us !== undefined ? Math.max(0, us / 1e6) : 0;
    const fps = parseNumber(this.block.get("fps"));
    const speed = parseNumber(this.block.get("speed")?.replace(/x$/, ""));
    let percent: number | undefined;
    let etaSec: number | undefined;
    if (this.durationSec !== undefined) {
      percent = done ? 100 : clamp((outTimeSec / this.durationSec) * 100, 0, 100);
      if (speed !== undefined && speed > 0) {
        etaSec = done ? 0 : Math.max(0, (this.durationSec - outTimeSec) / speed);
      }
    }
    this.block.clear();
    this.emit({ outTimeSec, percent, fps, speed, etaSec, done });
  }
}

/**
 * Runs `bin args…`. When `onProgress` is given, `-progress pipe:1 -nostats` must be in
 * `args` (buildHlsCommand puts it there) and stdout is parsed as progress.
 */
export function runFfmpeg(bin: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new FfmpegError(`${label(bin)} aborted before start`, "aborted", null, ""));
      return;
    }
    const cmd = limitedCommand(bin, args, opts);
    const child = spawn(cmd.command, cmd.args, {
      cwd: opts.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    const tail = new LineTail();
    const stdoutChunks: string[] = [];
    const parser = opts.onProgress ? new ProgressParser(opts.durationSec, opts.onProgress) : undefined;
    let stopReason: "aborted" | "timeout" | undefined;
    let settled = false;

    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      if (parser) parser.push(chunk);
      else if (opts.captureStdout) stdoutChunks.push(chunk);
    });
    child.stderr.on("data", (chunk: string) => tail.push(chunk));

    const kill = (reason: "aborted" | "timeout") => {
      if (stopReason || child.exitCode !== null) return;
      stopReason = reason;
      child.kill("SIGKILL");
    };
    const onAbort = () => kill("aborted");
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const timer = opts.timeoutMs ? setTimeout(() => kill("timeout"), opts.timeoutMs) : undefined;

    const finish = (err: FfmpegError | null) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve({ stdout: stdoutChunks.join(""), stderrTail: tail.text() });
    };

    child.on("error", (err) => {
      finish(new FfmpegError(`could not start ${bin}: ${err.message}`, "spawn", null, ""));
    });
    // "close" (not "exit") so stdout/stderr are fully drained before we look at them.
    child.on("close", (code, signal) => {
      const name = label(bin);
      if (stopReason === "aborted")
        return finish(new FfmpegError(`${name} was cancelled`, "aborted", code, tail.text()));
      if (stopReason === "timeout") {
        return finish(
          new FfmpegError(`${name} timed out after ${opts.timeoutMs} ms`, "timeout", code, tail.text()),
        );
      }
      if (signal)
        return finish(new FfmpegError(`${name} was killed by ${signal}`, "signal", code, tail.text()));
      if (code !== 0)
        return finish(new FfmpegError(`${name} exited with code ${code}`, "exit", code, tail.text()));
      finish(null);
    });
  });
}

function label(bin: string): string {
  const base = bin.split(/[\\/]/).pop() ?? bin;
  return base.startsWith("ffprobe") ? "ffprobe" : base.startsWith("ffmpeg") ? "ffmpeg" : base;
}
