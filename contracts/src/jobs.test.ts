import { describe, expect, it } from "vitest";
import { Job, outputPrefix, posterSourceKey, sourceKey } from "./jobs.ts";

const VIDEO = "v_AbCdEfGh12345678";
const base = {
  v: 1,
  jobId: "job-1",
  videoId: VIDEO,
  attempt: 1,
  attemptId: "attempt-0001",
  outputPrefix: outputPrefix(VIDEO),
  createdAt: "2026-12-01T10:00:00.000Z",
};

describe("job payloads", () => {
  it("derives the storage keys the edge and the transcoder agree on", () => {
    expect(sourceKey(VIDEO)).toBe(`uploads/${VIDEO}/source`);
    expect(posterSourceKey(VIDEO)).toBe(`uploads/${VIDEO}/poster-source`);
    expect(outputPrefix(VIDEO)).toBe(`videos/${VIDEO}/`);
  });

  it("parses both job types through the discriminated union", () => {
    const transcode = Job.parse({
      ...base,
      type: "transcode",
      source: { key: sourceKey(VIDEO), size: 10, contentType: "video/mp4" },
    });
    expect(transcode.type).toBe("transcode");
    const poster = Job.parse({ ...base, type: "poster", source: { key: posterSourceKey(VIDEO) } });
    expect(poster.type).toBe("poster");
  });

  it("refuses unknown types, bad video ids and prefixes outside the video", () => {
    const source = { key: "k", size: 1, contentType: "video/mp4" };
    expect(Job.safeParse({ ...base, type: "remux", source }).success).toBe(false);
    expect(Job.safeParse({ ...base, type: "transcode", source, videoId: "v_short" }).success).toBe(false);
    expect(Job.safeParse({ ...base, type: "transcode", source, outputPrefix: "videos/../" }).success).toBe(
      false,
    );
    expect(Job.safeParse({ ...base, type: "transcode", source, v: 2 }).success).toBe(false);
  });
});
