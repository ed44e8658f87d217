/**
 * Parses WebSocket frames with the contracts schema. Its own module so zod (the largest part
 * of it) is a lazily loaded chunk, fetched only by pages that follow a live transcode.
 */
import { WsMessage } from "@streamline/contracts";

/** The typed message, or null for a frame that is not JSON or does not match the contract. */
export function parseWsFrame(frame: string): WsMessage | null {
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    return null;
  }
  const parsed = WsMessage.safeParse(json);
  return parsed.success ? parsed.data : null;
}
