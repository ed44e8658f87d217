import { describe, expect, it } from "vitest";
import {
  FfmpegError,
  type FfmpegProgress,
  LineTail,
  MAX_TIMER_MS,
  ProgressParser,
  ProgressWatchdog,
  runFfmpeg,
  timerMs,
} from "./run.ts";

describe("ProgressParser", () => {
  it("turns -progress blocks into clamped percent/eta", () => {
    const seen: FfmpegProgress[] = [];
    const parser = new ProgressParser(10, (p) => seen.push(p));
    parser.push("frame=1\nfps=0.00\nout_time_us=N/A\nspeed=N/A\nprogress=continue\n");
    parser.push("frame=60\nfps=30.5\nout_time_us=2000000\nspe");
    parser.push("ed=2.00x\nprogress=continue\nout_time_us=12000000\nspeed=2x\nprogress=continue\n");
    parser.push("out_time_us=-23000\nprogress=continue\nout_time_us=10000000\nprogress=end\n");
    expect(seen.map((p) => p.percent)).toEqual([0, 20, 100, 0, 100]);
    expect(seen[1]).toMatchObject({ outTimeSec: 2, fps: 30.5, speed: 2, etaSec: 4, done: false });
    expect(seen[2]?.etaSec).toBe(0);
    expect(seen.at(-1)?.done).toBe(true);
  });

  it("leaves percent undefined without a duration", () => {
    const seen: FfmpegProgress[] = [];
    new ProgressParser(undefined, (p) => seen.push(p)).push("out_time_us=1000000\nprogress=continue\n");
    expect(seen[0]?.percent).toBeUndefined();
  });
});

describe("LineTail", () => {
  it("keeps only the last lines", () => {
    const t = new LineTail(3);
    t.push("a\nb\nc\n");
    t.push("d\ne");
    expect(t.text()).toBe("c\nd\ne");
  });
});

describe("runFfmpeg", () => {
  it("attaches the stderr tail to failures", async () => {
    const err = await runFfmpeg("sh", ["-c", "echo one >&2; echo two >&2; exit 3"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as FfmpegError).kind).toBe("exit");
    expect((err as FfmpegError).exitCode).toBe(3);
    expect((err as FfmpegError).stderrTail).toBe("one\ntwo");
  });

  it("kills on abort and on timeout", async () => {
    const ac = new AbortController();
    const pending = runFfmpeg("sleep", ["30"], { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(pending).rejects.toMatchObject({ kind: "aborted" });
    await expect(runFfmpeg("sleep", ["30"], { timeoutMs: 50 })).rejects.toMatchObject({ kind: "timeout" });
  });

  it("reports a missing binary as a spawn failure", async () => {
    await expect(runFfmpeg("/nonexistent/ffmpeg", [])).rejects.toMatchObject({ kind: "spawn" });
  });
});

describe("progress-based limits (issue 11, hole 4)", () => {
  const watch = { stallMs: 30_000, minMs: 120_000, factor: 6 };

  it("a run whose output stops advancing is stalled; one that keeps going is not", () => {
    let now = 0;
    const dog = new ProgressWatchdog(watch, () => now);
    now = 25_000;
    dog.seen(10);
    now = 50_000;
    expect(dog.check()).toBeNull();
    dog.seen(10); // the same position again is no progress
    now = 55_001;
    expect(dog.check()).toMatchObject({ reason: "stalled" });
  });

  it("the wall clock may run factor × the seconds really produced + minMs, whatever the header claimed", () => {
    let now = 0;
    const dog = new ProgressWatchdog({ ...watch, stallMs: 10 ** 9 }, () => now);
    dog.seen(2); // 2 s of real content: 120 s + 12 s
    now = 132_000;
    expect(dog.check()).toBeNull();
    now = 132_001;
    expect(dog.check()).toMatchObject({ reason: "timeout" });
    expect(dog.check()?.detail).toMatch(/^was too slow: 132 s for 2\.0 s of video/);
  });

  it("kills a child that never reports progress (kind: stalled)", async () => {
    const started = performance.now();
    const err = await runFfmpeg("sleep", ["30"], {
      onProgress: () => {},
      watch: { stallMs: 50, minMs: 60_000, factor: 6 },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "stalled" });
    expect((err as Error).message).toMatch(/^sleep made no progress for 0 s/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("never hands setTimeout more than 2^31 - 1 ms (a longer delay fires at once)", async () => {
    expect(timerMs(6 * 100 * 3600 * 1000)).toBe(MAX_TIMER_MS);
    expect(timerMs(0)).toBe(1);
    // 6 × a 100 h claim: without the clamp Node fires this timer at once and kills the run.
    const ok = await runFfmpeg("sh", ["-c", "sleep 0.2"], { timeoutMs: 2_160_000_000 });
    expect(ok.stderrTail).toBe("");
  });
});
