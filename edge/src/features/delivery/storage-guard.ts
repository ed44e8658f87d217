/**
 * Delivery's reads from storage, bounded and retried. A player waiting on a segment must
 * get an answer it can act on: a 5xx is retried by the S3 client (S3_RETRIES), a dropped
 * connection once here after a short pause (a GET is safe to repeat); still failing, it becomes 502
 * `storage_unavailable`; storage that does not answer within STORAGE_READ_TIMEOUT_MS becomes
 * 504 `storage_timeout`. Both carry `Retry-After` and the CORS headers, so a player on
 * another origin sees the status and backs off. The bound covers the whole read of what the
 * edge buffers (a media-cache fill); a streamed body that stalls after its headers is the
 * client's timeout to handle.
 */
import { AppError } from "../../lib/errors.ts";
import { errorMessage, log } from "../../lib/log.ts";
import { StorageError } from "../../lib/storage/object-store.ts";

/** Seconds a client should wait before asking again after a storage fault. */
export const STORAGE_RETRY_AFTER_SECONDS = 2;
/** The pause before the one retry of a failed read. */
const RETRY_PAUSE_MS = 100;

class Timeout extends Error {}

/**
 * Whether a failed read may succeed if asked again: the connection failing (workerd rejects
 * with a plain Error, "Network connection lost.", not a TypeError). A 5xx answer has been
 * retried by the S3 client already (S3_RETRIES); what the route decided (an AppError) and
 * 4xx answers are final.
 */
function isConnectionFailure(err: unknown): boolean {
  return (
    err instanceof Error &&
    !(err instanceof StorageError) &&
    !(err instanceof AppError) &&
    !(err instanceof Timeout)
  );
}

/**
 * Runs `read` (a storage read, retried once if the connection failed) within `timeoutMs`; storage
 * faults leave as AppErrors, anything else (404 as null, 416) unchanged.
 */
export async function guardedRead<T>(
  read: () => Promise<T>,
  timeoutMs: number,
  headers: Record<string, string>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), timeoutMs);
  });
  try {
    return await Promise.race([withOneRetry(read), deadline]);
  } catch (err) {
    throw storageFault(err, headers) ?? err;
  } finally {
    clearTimeout(timer);
  }
}

async function withOneRetry<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (!isConnectionFailure(err)) throw err;
    await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
    return read();
  }
}

function storageFault(err: unknown, headers: Record<string, string>): AppError | undefined {
  const extra = { headers: { ...headers, "retry-after": String(STORAGE_RETRY_AFTER_SECONDS) } };
  if (err instanceof Timeout) {
    log.warn("storage read timed out");
    return new AppError(504, "storage_timeout", "storage did not answer in time; try again", extra);
  }
  if ((err instanceof StorageError && err.status >= 500) || isConnectionFailure(err)) {
    log.warn("storage read failed", { error: errorMessage(err) });
    return new AppError(502, "storage_unavailable", "storage is unavailable; try again", extra);
  }
  return undefined;
}
