import { describe, expect, it } from "vitest";
import { NotAVideoError } from "../ffmpeg/probe.ts";
import { FfmpegError } from "../ffmpeg/run.ts";
import { InsufficientDiskError } from "../resources.ts";
import { SourceMissingError } from "../storage.ts";
import { classifyFailure, describeFfmpegFailure, JobFailure, ownerDetail } from "./failure.ts";

const PRESIGNED =
  "http://10.0.3.7:9000/streamline/uploads/v_abc/source?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261202&X-Amz-Signature=deadbeef";

describe("describeFfmpegFailure (for the log)", () => {
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

describe("what the edge is told (issue 11, hole 10)", () => {
  const leakyStderr = [
    `[https @ 0x55d0c8a1b2c0] Opening '${PRESIGNED}' for reading`,
    "[tcp @ 0x55d0c8a1c000] Connection to tcp://minio.storage.svc:9000 failed: Connection refused",
    `${PRESIGNED}: Connection refused`,
  ].join("\n");

  it("an ffmpeg failure's detail holds no URL, host, presigned query, pointer or path", () => {
    const f = classifyFailure(
      new FfmpegError("ffmpeg exited with code 1", "exit", 1, leakyStderr),
      undefined,
    );
    expect(f.code).toBe("transcode_error");
    expect(f.message).toMatch(/^transcoding failed: ffmpeg exited with code 1/);
    expect(f.message).not.toMatch(/https?:|tcp:|X-Amz|0x[0-9a-f]{6}|10\.0\.3\.7|storage\.svc|uploads\/v_abc/);
    expect(f.message).toContain("Connection refused");
  });

  it("ownerDetail keeps ffmpeg's last words, without the log prefix", () => {
    const err = new FfmpegError(
      "ffmpeg exited with code 1",
      "exit",
      1,
      "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5581a2b3c4d0] stream 0, offset 0x30: partial file\n/tmp/streamline-job-x/source: Invalid data found when processing input",
    );
    expect(ownerDetail("transcoding failed", err)).toBe(
      "transcoding failed: ffmpeg exited with code 1: <path>: Invalid data found when processing input",
    );
  });

  it("codes: bad input is final, the machine's trouble is retried", () => {
    const cases: [unknown, string, boolean][] = [
      [new NotAVideoError("it is an audio-only file, no video stream found"), "not_a_video", false],
      [
        new NotAVideoError("not a supported video format (hls)", "unsupported_format"),
        "unsupported_format",
        false,
      ],
      [
        new SourceMissingError("source object uploads/v_1/source not found in storage"),
        "source_missing",
        false,
      ],
      [new FfmpegError("ffmpeg timed out after 60 s", "timeout", null, ""), "timed_out", true],
      [new FfmpegError("ffmpeg made no progress for 120 s", "stalled", null, ""), "timed_out", true],
      [new FfmpegError("ffmpeg was killed by SIGKILL", "signal", null, ""), "transcode_error", true],
      [new InsufficientDiskError("not enough scratch disk"), "transcode_error", true],
      [new JobFailure("the file is empty (0 bytes)", false, "empty_file"), "empty_file", false],
      [new Error(`fetch failed: ${PRESIGNED}`), "transcode_error", true],
    ];
    for (const [err, code, retryable] of cases) {
      const f = classifyFailure(err, undefined);
      expect({ code: f.code, retryable: f.retryable }, String(err)).toEqual({ code, retryable });
      expect(f.message).not.toMatch(/https?:|X-Amz|10\.0\.3\.7/);
    }
    expect(classifyFailure(new SourceMissingError("x"), undefined).message).toBe(
      "the uploaded file is no longer in storage",
    );
  });
});
