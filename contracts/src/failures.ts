/**
 * Why a video failed, in a fixed vocabulary (issue 11, hole 10): the code and its sentence
 * are what viewers and WebSocket watchers see; the owner additionally gets a sanitized
 * detail. Raw tool output (ffmpeg stderr, storage errors) stays in the transcoder's logs:
 * it can hold presigned URLs, internal host names and local paths.
 * `sanitizeFailureDetail` is applied by the fleet before it sends a detail and again by
 * the edge before it stores one (defence in depth).
 */
import { z } from "zod";

export const FailureCode = z.enum([
  "not_a_video",
  "unsupported_format",
  "corrupt_file",
  "empty_file",
  "too_long",
  "resolution_too_high",
  "frame_rate_too_high",
  "upload_size_mismatch",
  "upload_aborted",
  "upload_expired",
  "source_missing",
  "timed_out",
  "transcode_error",
]);
export type FailureCode = z.infer<typeof FailureCode>;

/** One sentence per code: the whole of what a viewer is told. */
export const FAILURE_MESSAGES: Readonly<Record<FailureCode, string>> = {
  not_a_video: "The file is not a video.",
  unsupported_format: "The file's format is not supported.",
  corrupt_file: "The file is damaged or incomplete and could not be read.",
  empty_file: "The file is empty.",
  too_long: "The video is longer than this platform accepts.",
  resolution_too_high: "The video's resolution is higher than this platform accepts.",
  frame_rate_too_high: "The video's frame rate is higher than this platform accepts.",
  upload_size_mismatch: "The uploaded file does not have the size announced when the upload started.",
  upload_aborted: "The upload was cancelled.",
  upload_expired: "The upload was not finished in time.",
  source_missing: "The uploaded file could not be found.",
  timed_out: "Processing the video took too long.",
  transcode_error: "The video could not be processed.",
};

/** The longest detail kept (the owner reads it in the studio; the logs keep the rest). */
export const FAILURE_DETAIL_MAX = 300;

export function failureMessage(code: FailureCode): string {
  return FAILURE_MESSAGES[code];
}

/** A failure as the API shows it: `detail` only to the video's owner. */
export const VideoFailure = z.object({
  code: FailureCode,
  /** The vocabulary sentence for `code`. */
  message: z.string(),
  /** Owner only: what went wrong, sanitized (no URLs, hosts, paths or raw tool output). */
  detail: z.string().optional(),
});
export type VideoFailure = z.infer<typeof VideoFailure>;

// Order matters: whole URLs before bare hosts, hosts before paths.
const SCRUB: [RegExp, string][] = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>|]*/gi, "<url>"],
  [/[?&]X-Amz-[^\s'"<>|]*/gi, ""],
  [/\bX-Amz-[A-Za-z-]+=\S*/gi, ""],
  // `[mov,mp4 @ 0x55d…]` context prefixes of ffmpeg log lines, and bare pointers.
  [/\[[^\]]*@ 0x[0-9a-f]+\]\s*/gi, ""],
  [/\b0x[0-9a-f]{6,}\b/gi, "<ptr>"],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, "<host>"],
  [/\[[0-9a-f:]*:[0-9a-f:]+\](?::\d+)?/gi, "<host>"],
  [/\blocalhost(?::\d+)?\b/gi, "<host>"],
  [
    /\b(?:[a-z0-9-]+\.)+(?:internal|local|lan|svc|cluster|corp|com|net|org|io|dev|cloud)(?::\d+)?\b/gi,
    "<host>",
  ],
  // Absolute paths (POSIX and Windows), with or without a file name.
  [/(?:^|(?<=[\s'"(=:]))(?:[A-Za-z]:)?[\\/](?:[^\s'"<>|:\\/]+[\\/])+[^\s'"<>|:]*/g, "<path>"],
  [/\bstreamline-(?:job|work)-\S*/gi, "<path>"],
];

/**
 * A detail fit for the owner: one line of at most FAILURE_DETAIL_MAX characters with URLs,
 * presigned queries, host names, IP addresses, pointers and local paths replaced.
 */
export function sanitizeFailureDetail(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  let out = text.replace(/[\u0000-\u001f\u007f]+/g, " ");
  for (const [re, by] of SCRUB) out = out.replace(re, by);
  out = out.replace(/\s+/g, " ").trim();
  return out.length > FAILURE_DETAIL_MAX ? `${out.slice(0, FAILURE_DETAIL_MAX - 3)}...` : out;
}

/**
 * The code for a stored failure text that came without one (rows written before codes,
 * or a fleet node that does not send them): a best guess from the wording, else
 * `transcode_error`. Never shown raw either way.
 */
export function inferFailureCode(text: string | null | undefined): FailureCode {
  const t = (text ?? "").toLowerCase();
  if (/\bempty\b/.test(t)) return "empty_file";
  if (/upload aborted|upload was cancelled/.test(t)) return "upload_aborted";
  if (/upload expired/.test(t)) return "upload_expired";
  if (/size (?:mismatch|differs)|does not have the size|declared size/.test(t)) return "upload_size_mismatch";
  if (/timed out|took too long|no progress/.test(t)) return "timed_out";
  if (/not a supported video format|unsupported format/.test(t)) return "unsupported_format";
  if (/corrupt|truncated|damaged/.test(t)) return "corrupt_file";
  if (/not a (?:playable|recognised) video|no video stream|audio-only|still image|not a video/.test(t))
    return "not_a_video";
  if (/not found in storage|could not be found/.test(t)) return "source_missing";
  return "transcode_error";
}
