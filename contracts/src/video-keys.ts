/**
 * Storage keys a transcoder event may name (master, poster, trick-play, rendition
 * playlists) must sit under that video's own output prefix, `videos/<id>/`: the edge
 * stores them and later serves whatever they point at, so a key elsewhere in the bucket
 * (another video, `uploads/…` sources) must never be accepted (ADR 0010).
 */
import { outputPrefix } from "./jobs.ts";

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const UNSAFE = /[\u0000-\u001f\u007f\\]/;

/** Why `rel` is not a safe path relative to a prefix (`a/b.m3u8`), or undefined. */
export function relativeKeyProblem(rel: string): string | undefined {
  if (rel === "" || UNSAFE.test(rel)) return "is empty or holds control characters or backslashes";
  if (rel.split("/").some((s) => s === "" || s === "." || s === ".."))
    return "has an empty, `.` or `..` path segment";
  return undefined;
}

/** Why `key` is not a key under `videos/<videoId>/`, or undefined when it is. */
export function videoKeyProblem(videoId: string, key: string): string | undefined {
  const prefix = outputPrefix(videoId);
  if (!key.startsWith(prefix)) return `must sit under ${prefix}`;
  return relativeKeyProblem(key.slice(prefix.length));
}
