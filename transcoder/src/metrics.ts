/**
 * The node's Prometheus metrics (prom-client), served as text at `GET /metrics`
 * (server.ts). One registry per process; the pipeline records into it through the small
 * functions below so no phase imports prom-client itself.
 *
 *   streamline_transcoder_jobs_in_flight{kind}                 gauge, read at scrape time
 *   streamline_transcoder_job_duration_seconds{kind,outcome}   histogram, admission → end
 *   streamline_transcoder_phase_duration_seconds{phase,rungs}  histogram, one ffmpeg phase
 *   streamline_transcoder_realtime_factor{phase}               histogram, media s ÷ wall s
 *   streamline_transcoder_queue_wait_seconds{kind}             histogram, dispatch → claim
 *   streamline_transcoder_failures_total{code}                 counter, by failure code
 *   streamline_transcoder_claim_conflicts_total                counter, claim held elsewhere
 *   streamline_transcoder_storage_bytes_total{direction}       counter, in = read, out = written
 *   streamline_transcoder_ffmpeg_cpu_seconds_total             counter, CPU of finished children
 *   plus prom-client's default process metrics (CPU, memory, event loop lag, handles).
 *
 * ffmpeg CPU comes from the kernel, not from ffmpeg: `/proc/self/stat` fields 16–17
 * (cutime + cstime) are the CPU seconds of every child this process has reaped. ffmpeg and
 * ffprobe are the only children (nice/prlimit exec into them), so the counter is exact for
 * finished runs and lags a running encode until it exits. Absent where /proc is missing.
 */
import { readFileSync } from "node:fs";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Job classes as the runner sees them: transcodes and the small image jobs. */
export type JobKind = "transcode" | "poster" | "channel-image" | "download";

const PREFIX = "streamline_transcoder_";
/** Linux USER_HZ: /proc times are in clock ticks of 1/100 s on every mainstream kernel. */
const CLOCK_TICKS_PER_SEC = 100;

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: PREFIX });

let inFlightSource: () => Record<JobKind, number> = () => ({
  transcode: 0,
  poster: 0,
  "channel-image": 0,
  download: 0,
});

new Gauge({
  name: `${PREFIX}jobs_in_flight`,
  help: "Jobs admitted and running on this node",
  labelNames: ["kind"] as const,
  registers: [registry],
  collect() {
    for (const [kind, n] of Object.entries(inFlightSource())) this.set({ kind }, n);
  },
});

const jobDuration = new Histogram({
  name: `${PREFIX}job_duration_seconds`,
  help: "Wall time of one job attempt on this node, admission to its end",
  labelNames: ["kind", "outcome"] as const,
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600],
  registers: [registry],
});

const phaseDuration = new Histogram({
  name: `${PREFIX}phase_duration_seconds`,
  help: "Wall time of one pipeline phase (one ffmpeg process), by phase and the rungs it produced",
  labelNames: ["phase", "rungs"] as const,
  buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
  registers: [registry],
});

const realtimeFactor = new Histogram({
  name: `${PREFIX}realtime_factor`,
  help: "Seconds of media produced per second of wall time, by phase (> 1 is faster than realtime)",
  labelNames: ["phase"] as const,
  buckets: [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64],
  registers: [registry],
});

const queueWait = new Histogram({
  name: `${PREFIX}queue_wait_seconds`,
  help: "From the edge's dispatch of the job (its createdAt) to this node's claim",
  labelNames: ["kind"] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

const failures = new Counter({
  name: `${PREFIX}failures_total`,
  help: "Jobs that ended failed, by failure code",
  labelNames: ["code"] as const,
  registers: [registry],
});

const claimConflicts = new Counter({
  name: `${PREFIX}claim_conflicts_total`,
  help: "Jobs refused because another attempt or node held the fleet-wide claim",
  registers: [registry],
});

const storageBytes = new Counter({
  name: `${PREFIX}storage_bytes_total`,
  help: "Bytes read from (in) and written to (out) object storage",
  labelNames: ["direction"] as const,
  registers: [registry],
});

/** What the ffmpeg CPU counter has been given so far. */
let cpuCounted = 0;

new Counter({
  name: `${PREFIX}ffmpeg_cpu_seconds_total`,
  help: "CPU seconds (user + system) of finished ffmpeg/ffprobe child processes",
  registers: [registry],
  collect() {
    const sec = reapedChildCpuSeconds();
    // The kernel's figure only grows: the counter follows it by the difference.
    if (sec !== null && sec > cpuCounted) {
      this.inc(sec - cpuCounted);
      cpuCounted = sec;
    }
  },
});

/** cutime + cstime of this process in seconds, or null off Linux. */
export function reapedChildCpuSeconds(statText?: string): number | null {
  let text = statText;
  if (text === undefined) {
    try {
      text = readFileSync("/proc/self/stat", "utf8");
    } catch {
      return null;
    }
  }
  // The command name (field 2) is in parentheses and may hold spaces: split after it.
  const after = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // after[0] is field 3 (state); cutime and cstime are fields 16 and 17.
  const cutime = Number(after[13]);
  const cstime = Number(after[14]);
  if (!Number.isFinite(cutime) || !Number.isFinite(cstime)) return null;
  return (cutime + cstime) / CLOCK_TICKS_PER_SEC;
}

/** The runner tells the gauge how to count its running jobs. */
export function watchInFlight(source: () => Record<JobKind, number>): void {
  inFlightSource = source;
}

export function recordJobEnd(kind: JobKind, outcome: string, startedAtMs: number, nowMs = Date.now()): void {
  jobDuration.observe({ kind, outcome }, Math.max(0, nowMs - startedAtMs) / 1000);
}

export function recordQueueWait(kind: JobKind, dispatchedAt: string, nowMs = Date.now()): void {
  const at = Date.parse(dispatchedAt);
  if (Number.isFinite(at)) queueWait.observe({ kind }, Math.max(0, nowMs - at) / 1000);
}

export function recordFailure(code: string): void {
  failures.inc({ code });
}

export function recordClaimConflict(): void {
  claimConflicts.inc();
}

export function recordStorageBytes(direction: "in" | "out", bytes: number): void {
  if (bytes > 0) storageBytes.inc({ direction }, bytes);
}

/**
 * Times one phase: its wall time, and when `mediaSec` is known once it ends, its realtime
 * factor. Records only phases that completed (a failure is counted by `recordFailure`).
 */
export async function timedPhase<T>(
  phase: string,
  rungs: readonly string[],
  fn: () => Promise<T>,
  mediaSec?: (result: T) => number | undefined,
): Promise<T> {
  const started = performance.now();
  const result = await fn();
  const wallSec = (performance.now() - started) / 1000;
  phaseDuration.observe({ phase, rungs: rungs.join("+") }, wallSec);
  const media = mediaSec?.(result);
  if (media !== undefined && media > 0 && wallSec > 0) realtimeFactor.observe({ phase }, media / wallSec);
  return result;
}

/** The whole registry as Prometheus text. */
export function metricsText(): Promise<string> {
  return registry.metrics();
}

export const METRICS_CONTENT_TYPE = registry.contentType;
