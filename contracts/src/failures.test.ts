import { describe, expect, it } from "vitest";
import {
  FAILURE_DETAIL_MAX,
  FAILURE_MESSAGES,
  FailureCode,
  inferFailureCode,
  sanitizeFailureDetail,
} from "./failures.ts";

describe("failure vocabulary", () => {
  it("has one sentence per code", () => {
    for (const code of FailureCode.options) expect(FAILURE_MESSAGES[code]).toMatch(/^[A-Z].+\.$/);
  });

  it("infers a code for texts stored without one", () => {
    expect(inferFailureCode("upload aborted")).toBe("upload_aborted");
    expect(inferFailureCode("upload expired before it was completed")).toBe("upload_expired");
    expect(inferFailureCode("upload size mismatch: declared 1024 bytes, stored 5368709120")).toBe(
      "upload_size_mismatch",
    );
    expect(inferFailureCode("transcoding timed out")).toBe("timed_out");
    expect(inferFailureCode("not a playable video: it is an audio-only file, no video stream found")).toBe(
      "not_a_video",
    );
    expect(inferFailureCode("not a playable video: file is corrupt or truncated (ffprobe: …)")).toBe(
      "corrupt_file",
    );
    expect(inferFailureCode("ffmpeg exited with code 1: http://10.0.0.5:9000/x")).toBe("transcode_error");
    expect(inferFailureCode(null)).toBe("transcode_error");
  });
});

describe("sanitizeFailureDetail", () => {
  const leaks = [
    "http://s3.internal:9000/streamline/uploads/v_1/source?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc",
    "[https @ 0x55d0c8a1b2c0] Connection to tcp://10.1.2.3:8080 failed",
    "Opening 'http://127.0.0.1:45678/seg0.ts' for reading",
    "/tmp/streamline-job-AbC123/source: Invalid data found when processing input",
    "connect ECONNREFUSED 192.168.1.20:443",
    "getaddrinfo ENOTFOUND minio.storage.svc",
    "C:\\work\\jobs\\v_1\\source: No such file",
    "[::1]:9000 refused",
    "request to localhost:9000 failed",
  ];
  it.each(leaks)("scrubs %s", (raw) => {
    const out = sanitizeFailureDetail(raw);
    expect(out).not.toMatch(/https?:\/\/|tcp:\/\/|X-Amz-|0x[0-9a-f]{6,}/i);
    expect(out).not.toMatch(/\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\.internal|\.svc|::1/);
    expect(out).not.toMatch(/\/tmp\/|streamline-job-|C:\\|\\work\\/);
  });

  it("keeps a reason a person can read", () => {
    expect(sanitizeFailureDetail("ffprobe: moov atom not found")).toBe("ffprobe: moov atom not found");
    expect(sanitizeFailureDetail("8192x4608 is 37.7 Mpx; the limit is 33.2 Mpx (7680x4320)")).toBe(
      "8192x4608 is 37.7 Mpx; the limit is 33.2 Mpx (7680x4320)",
    );
    expect(sanitizeFailureDetail("frame rate 30000/1001 at 29.97 fps")).toBe(
      "frame rate 30000/1001 at 29.97 fps",
    );
  });

  it("is one line of bounded length", () => {
    const out = sanitizeFailureDetail(`line one\nline two\r\n${"x".repeat(5000)}`);
    expect(out).not.toMatch(/[\r\n]/);
    expect(out.length).toBeLessThanOrEqual(FAILURE_DETAIL_MAX);
  });
});
