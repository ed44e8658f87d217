/**
 * What ffprobe/ffmpeg may do when they read an uploaded file (docs/adr/0009).
 *
 * An upload is attacker-controlled bytes. ffmpeg picks a demuxer by content, and several
 * demuxers are playlists that open further URLs (hls, dash, concat, imf, sdp → rtp,
 * image2 patterns, mov external references…): a "video" that is really a DASH manifest
 * makes the fleet fetch whatever URL it names, and ffmpeg's error text comes back as
 * the failure reason. So every process that reads user media gets:
 *
 * - `-format_whitelist` of real media containers: libavformat refuses any other demuxer
 *   the probe picks ("Format not on whitelist") before it opens anything nested;
 * - `-protocol_whitelist` of exactly what the source itself needs (the URL's own scheme,
 *   or `file`), so even a demuxer that does open nested resources cannot reach the
 *   network from a local file, nor another scheme from a URL.
 *
 * mov's external data references (`dref`) stay off: `enable_drefs` and
 * `use_absolute_path` default to false in ffmpeg ≥ 4, and ffmpeg (unlike ffprobe) exits
 * on a demuxer-private option the chosen demuxer does not have, so it is not passed.
 */

/**
 * Demuxers (libavformat names) a user may upload. Containers, elementary audio for the
 * "audio-only" reason, single pictures (`*_pipe`) for the "still image" reason. None of
 * them opens another file or URL.
 */
export const MEDIA_DEMUXERS: readonly string[] = [
  // video containers
  "mov", // mov,mp4,m4a,3gp,3g2,mj2
  "matroska", // matroska,webm
  "avi",
  "mpegts",
  "mpeg", // MPEG-PS (.mpg, .vob)
  "flv",
  "asf", // wmv
  "ogg",
  "mxf",
  "dv",
  "gif",
  // audio only (probed, then refused with a clear reason)
  "mp3",
  "aac",
  "wav",
  "flac",
  // single pictures (probed, then refused as "a still image")
  "png_pipe",
  "jpeg_pipe",
  "webp_pipe",
  "bmp_pipe",
  "tiff_pipe",
  "gif_pipe",
];

/** Demuxers for uploaded poster/avatar pictures (JPEG, PNG, WebP); single-file readers. */
export const IMAGE_DEMUXERS: readonly string[] = ["jpeg_pipe", "png_pipe", "webp_pipe"];

/**
 * Demuxers that read other files or URLs, as shown to the uploader when one is refused.
 * Anything not in MEDIA_DEMUXERS is refused; these only get a better sentence.
 */
const NESTED_FORMATS: Record<string, string> = {
  hls: "an HLS playlist",
  dash: "a DASH manifest",
  concat: "a concat list",
  imf: "an IMF composition playlist",
  sdp: "an SDP session description",
  rtsp: "an RTSP session",
  sap: "a SAP announcement",
  image2: "an image sequence",
  webm_dash_manifest: "a WebM DASH manifest",
  ffmetadata: "an ffmetadata text file",
  tedcaptions: "a captions file",
};

/** The protocols a source needs: its own URL scheme (+ transport), or local files only. */
export function inputProtocols(input: string): string {
  if (/^https:\/\//i.test(input)) return "https,tls,tcp";
  if (/^http:\/\//i.test(input)) return "http,tcp";
  return "file";
}

/** Options placed before `-i` of every ffprobe/ffmpeg that reads user media. */
export function untrustedInputArgs(input: string): string[] {
  // biome-ignore format: one flag/value pair per line
  return [
    "-format_whitelist", MEDIA_DEMUXERS.join(","),
    "-protocol_whitelist", inputProtocols(input),
  ];
}

/** Options placed before `-i` of every ffprobe/ffmpeg that reads an uploaded picture. */
export function untrustedImageArgs(input: string): string[] {
  // biome-ignore format: one flag/value pair per line
  return [
    "-format_whitelist", IMAGE_DEMUXERS.join(","),
    "-protocol_whitelist", inputProtocols(input),
  ];
}

/**
 * The refused demuxer when ffmpeg stopped on the format whitelist, e.g. "dash" from
 * `[dash @ 0x55…] Format not on whitelist '…'`; "" when the name is not in the line;
 * null when stderr is about something else.
 */
export function refusedFormat(stderr: string): string | null {
  const m = /^(?:\[([^\]@]+?) @ 0x[0-9a-f]+\]\s*)?Format not on whitelist/m.exec(stderr);
  if (!m) return null;
  return m[1]?.split(",")[0]?.trim() ?? "";
}

/** The sentence after "not a playable video: " for a refused demuxer. */
export function unsupportedFormatReason(format: string): string {
  const what = NESTED_FORMATS[format];
  if (what) return `not a supported video format (it is ${what}, which refers to other files or URLs)`;
  return format ? `not a supported video format (${format})` : "not a supported video format";
}
