import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { findOnPath, limitedCommand } from "./ffmpeg/run.ts";
import { ensureDiskSpace, InsufficientDiskError, runTimeoutMs } from "./resources.ts";

describe("runTimeoutMs", () => {
  it("is max(120 s, 6 × duration), capped by the job ceiling", () => {
    expect(runTimeoutMs(2, {})).toBe(120_000);
    expect(runTimeoutMs(600, {})).toBe(3_600_000);
    expect(runTimeoutMs(600, { timeoutFactor: 2 })).toBe(1_200_000);
    expect(runTimeoutMs(600, {}, 1_000_000)).toBe(1_000_000);
    expect(runTimeoutMs(1, { minTimeoutMs: 5000 })).toBe(6000);
  });
});

describe("ensureDiskSpace", () => {
  it("passes with room, throws a retryable-classified error without", async () => {
    await ensureDiskSpace(tmpdir(), 1024, 3);
    await ensureDiskSpace(tmpdir(), 0, 3); // unknown size: no check
    await expect(ensureDiskSpace(tmpdir(), 1024 ** 5, 3)).rejects.toBeInstanceOf(InsufficientDiskError);
    await expect(ensureDiskSpace(tmpdir(), 1024 ** 5, 3)).rejects.toThrow(
      /^not enough scratch disk on this transcoder node: need 3145728\.00 GiB \(3× the 1048576\.00 GiB source\), [\d.]+ GiB free$/,
    );
  });
});

describe("limitedCommand", () => {
  it("wraps ffmpeg in nice and prlimit (both exec, so the pid stays ffmpeg's)", () => {
    const nice = findOnPath("nice");
    const prlimit = findOnPath("prlimit");
    const cmd = limitedCommand("ffmpeg", ["-i", "x"], { nice: 10, memoryBytes: 4 * 1024 ** 3 });
    const expected = [
      ...(nice ? [nice, "-n", "10"] : []),
      ...(prlimit ? [prlimit, `--as=${4 * 1024 ** 3}`, "--"] : []),
      "ffmpeg",
      "-i",
      "x",
    ];
    expect([cmd.command, ...cmd.args]).toEqual(expected);
    expect(limitedCommand("ffmpeg", ["-i", "x"], {})).toEqual({ command: "ffmpeg", args: ["-i", "x"] });
    expect(limitedCommand("ffmpeg", [], { nice: 99 }).args.slice(0, 2)).toEqual(nice ? ["-n", "19"] : []);
  });
});
