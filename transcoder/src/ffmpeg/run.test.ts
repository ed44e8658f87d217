import { describe, expect, it } from "vitest";
import { FfmpegError, type FfmpegProgress, LineTail, ProgressParser, runFfmpeg } from "./run.ts";

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
