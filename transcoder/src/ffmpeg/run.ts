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
 *
 * Timeouts never trust the media's claim (issue 11, hole 4): a run with progress output
 * may be given `watch` — killed when its output position stops advancing for
 * `stallMs`, or when it has run longer than `minMs + factor × the seconds it really
 * produced` — beside the static `timeoutMs` ceiling. Every timer is clamped to
 * MAX_TIMER_MS (Node fires a longer `setTimeout` at once).
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { log } from "../log.ts";

const STDERR_TAIL_LINES = 40;
/** The longest delay `setTimeout` honours (2^31 − 1 ms ≈ 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** How often a watched run's progress is checked. */
const WATCH_TICK_MS = 1000;

/** A delay `setTimeout` keeps: at least 1 ms, at most MAX_TIMER_MS. */
export function timerMs(ms: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(1, Math.round(ms)));
}

/** Progress-based limits of a run that reports `-progress`. */
export interface ProgressWatch {
  /** Killed (`stalled`) when the output position has not advanced for this long. */
  stallMs: number;
  /** Killed (`timeout`) past `minMs + factor × output seconds produced so far` of wall clock. */
  minMs: number;
  factor: number;
}

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
  /** Static wall-clock ceiling (clamped to MAX_TIMER_MS). */
  timeoutMs?: number;
  /** Progress-based limits (needs `onProgress`). */
  watch?: ProgressWatch | undefined;
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

export type FfmpegFailure = "exit" | "signal" | "aborted" | "timeout" | "stalled" | "spawn";

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
    const watchdog = opts.watch && opts.onProgress ? new ProgressWatchdog(opts.watch) : undefined;
    const onProgress = opts.onProgress;
    const parser = onProgress
      ? new ProgressParser(opts.durationSec, (p) => {
          watchdog?.seen(p.outTimeSec);
          onProgress(p);
        })
      : undefined;
    let stopReason: StopReason | undefined;
    let stopDetail = "";
    let settled = false;

    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      if (parser) parser.push(chunk);
      else if (opts.captureStdout) stdoutChunks.push(chunk);
    });
    child.stderr.on("data", (chunk: string) => tail.push(chunk));

    const kill = (reason: StopReason, detail: string) => {
      if (stopReason || child.exitCode !== null) return;
      stopReason = reason;
      stopDetail = detail;
      child.kill("SIGKILL");
    };
    const onAbort = () => kill("aborted", "was cancelled");
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const timeoutMs = opts.timeoutMs ? timerMs(opts.timeoutMs) : undefined;
    const timer = timeoutMs
      ? setTimeout(() => kill("timeout", `timed out after ${Math.round(timeoutMs / 1000)} s`), timeoutMs)
      : undefined;
    const ticker = watchdog
      ? setInterval(() => {
          const verdict = watchdog.check();
          if (verdict) kill(verdict.reason, verdict.detail);
        }, WATCH_TICK_MS)
      : undefined;

    const finish = (err: FfmpegError | null) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (ticker) clearInterval(ticker);
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
      if (stopReason) return finish(new FfmpegError(`${name} ${stopDetail}`, stopReason, code, tail.text()));
      if (signal)
        return finish(new FfmpegError(`${name} was killed by ${signal}`, "signal", code, tail.text()));
      if (code !== 0)
        return finish(new FfmpegError(`${name} exited with code ${code}`, "exit", code, tail.text()));
      finish(null);
    });
  });
}

type StopReason = "aborted" | "timeout" | "stalled";

/**
 * The progress-based limits of one run: the output position must keep advancing, and the
 * wall clock may only run ahead of the media really produced by `factor` (+ `minMs`).
 */
export class ProgressWatchdog {
  private readonly watch: ProgressWatch;
  private readonly now: () => number;
  private readonly started: number;
  private lastAdvance: number;
  private outSec = 0;

  constructor(watch: ProgressWatch, now: () => number = () => performance.now()) {
    this.watch = watch;
    this.now = now;
    this.started = now();
    this.lastAdvance = this.started;
  }

  seen(outTimeSec: number): void {
    if (outTimeSec > this.outSec) {
      this.outSec = outTimeSec;
      this.lastAdvance = this.now();
    }
  }

  check(): { reason: "timeout" | "stalled"; detail: string } | null {
    const now = this.now();
    if (now - this.lastAdvance > this.watch.stallMs) {
      const at = this.outSec.toFixed(1);
      return {
        reason: "stalled",
        detail: `made no progress for ${Math.round(this.watch.stallMs / 1000)} s (at ${at} s)`,
      };
    }
    const budget = this.watch.minMs + this.watch.factor * this.outSec * 1000;
    if (now - this.started > budget) {
      const took = Math.round((now - this.started) / 1000);
      return {
        reason: "timeout",
        detail: `was too slow: ${took} s for ${this.outSec.toFixed(1)} s of video (limit ${this.watch.factor}× + ${Math.round(this.watch.minMs / 1000)} s)`,
      };
    }
    return null;
  }
}

function label(bin: string): string {
  const base = bin.split(/[\\/]/).pop() ?? bin;
  return base.startsWith("ffprobe") ? "ffprobe" : base.startsWith("ffmpeg") ? "ffmpeg" : base;
}
