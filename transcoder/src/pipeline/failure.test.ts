import { describe, expect, it } from "vitest";
import { FfmpegError } from "../ffmpeg/run.ts";
import { describeFfmpegFailure } from "./failure.ts";

describe("describeFfmpegFailure", () => {
  it("keeps the first line and a one-line tail of stderr, without SVT banners", () => {
    const tail = [...Array.from({ length: 12 }, (_, i) => `line ${i + 1}`), "Svt[info]: banner"].join("\n");
    const reason = describeFfmpegFailure(
      "transcoding failed",
      new FfmpegError("ffmpeg exited with code 1", "exit", 1, tail),
    );
    expect(reason).toBe(
      "transcoding failed: ffmpeg exited with code 1: line 5 | line 6 | line 7 | line 8 | line 9 | line 10 | line 11 | line 12",
    );
  });
});
