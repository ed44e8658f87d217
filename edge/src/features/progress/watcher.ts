/**
 * Who is behind a watcher socket, as its ticket said: the signed-in user (if any), whether
 * that is the video's owner, and the video's access epoch when the ticket was issued. The
 * ws route hands it to the VideoRoom in a header it sets itself; the room keeps it as the
 * socket's attachment (it survives hibernation) and closes non-owners when the video loses
 * viewers (CLOSE_ACCESS_REVOKED).
 */
import { z } from "zod";

export const WATCHER_HEADER = "x-streamline-watcher";

export const Watcher = z.object({
  viewer: z.string().nullable(),
  owner: z.boolean(),
  epoch: z.number().int().nonnegative(),
});
export type Watcher = z.infer<typeof Watcher>;

/** A socket without a readable identity is treated as the least privileged watcher. */
export const ANONYMOUS: Watcher = { viewer: null, owner: false, epoch: 0 };

export function parseWatcher(raw: unknown): Watcher {
  const parsed = Watcher.safeParse(typeof raw === "string" ? safeJson(raw) : raw);
  return parsed.success ? parsed.data : ANONYMOUS;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
