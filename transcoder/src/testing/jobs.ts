/** A valid transcode job for tests: a fresh, schema-valid video id under `prefix`. */
import type { TranscodeJobV1 } from "@streamline/contracts";

/** `v_` + exactly 16 id characters, as the edge mints them; `tag` makes ids readable in logs. */
export function testVideoId(tag = ""): string {
  const random = Math.random().toString(36).slice(2).padEnd(16, "x");
  return `v_${(tag + random).slice(0, 16)}`;
}

export function transcodeJobFor(videoId: string = testVideoId()): TranscodeJobV1 {
  return {
    v: 1,
    type: "transcode",
    jobId: `job-${videoId}`,
    videoId,
    attempt: 1,
    attemptId: `attempt-${videoId}`,
    source: { key: `uploads/${videoId}/source`, size: 0, contentType: "video/mp4" },
    outputPrefix: `videos/${videoId}/`,
    createdAt: new Date().toISOString(),
  };
}
