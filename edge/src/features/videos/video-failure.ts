/**
 * Failure text on its way out (issue 11, hole 10). D1 keeps a vocabulary code
 * (`videos.failure_code`) and an owner's detail (`failure_reason`, sanitized again here,
 * whatever the fleet sent); viewers — and every WebSocket watcher — only ever get the
 * code and its fixed sentence (contracts/failures.ts). Rows written before codes existed
 * get a code inferred from their text, and their raw text is still never shown raw.
 */
import {
  FailureCode,
  failureMessage,
  inferFailureCode,
  sanitizeFailureDetail,
  type VideoFailure,
  type WsMessage,
} from "@streamline/contracts";
import type { VideoRow } from "../../db/schema.ts";

/** What a writer stores when a video fails: the code and the owner's detail, sanitized. */
export function storedFailure(
  code: FailureCode,
  detail: string,
): { failureCode: FailureCode; failureReason: string } {
  return { failureCode: code, failureReason: sanitizeFailureDetail(detail) || failureMessage(code) };
}

export function failureCodeOf(row: Pick<VideoRow, "failureCode" | "failureReason">): FailureCode {
  const parsed = FailureCode.safeParse(row.failureCode);
  return parsed.success ? parsed.data : inferFailureCode(row.failureReason);
}

/** `VideoDto.failure`: the detail only for the owner. */
export function failureFor(
  row: Pick<VideoRow, "failureCode" | "failureReason">,
  owner: boolean,
): VideoFailure {
  const code = failureCodeOf(row);
  const detail = owner && row.failureReason ? sanitizeFailureDetail(row.failureReason) : "";
  return { code, message: failureMessage(code), ...(detail ? { detail } : {}) };
}

/**
 * A message as every watcher may see it: failure text replaced by the vocabulary
 * sentence (the room fans out to owners and strangers alike, so it carries no detail).
 */
export function watcherSafe(m: WsMessage): WsMessage {
  if (m.type === "status" && (m.failureReason !== undefined || m.failureCode !== undefined)) {
    const code = m.failureCode ?? inferFailureCode(m.failureReason);
    return { ...m, failureReason: failureMessage(code), failureCode: code };
  }
  if (m.type === "failed") {
    const code = m.code ?? inferFailureCode(m.reason);
    return { type: "failed", reason: failureMessage(code), code };
  }
  return m;
}

/** The messages a writer publishes when a video fails (the room sanitizes again). */
export function failureMessages(code: FailureCode, playable: boolean): WsMessage[] {
  const message = failureMessage(code);
  return [
    { type: "status", status: "failed", playable, failureReason: message, failureCode: code },
    { type: "failed", reason: message, code },
  ];
}
