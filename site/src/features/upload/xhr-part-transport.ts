/**
 * Presigned part PUTs over XMLHttpRequest: unlike fetch, XHR reports upload progress, which
 * drives the per-part and total progress bars. The body is a Blob slice with an empty type,
 * so the browser sends no Content-Type and the request matches what was presigned.
 */
import { PartPutError, type PartTransport } from "./multipart-upload.ts";

/** A part that shows no progress for this long is treated as a network error and retried. */
const STALL_TIMEOUT_MS = 60_000;

export const xhrPartTransport: PartTransport = {
  put(url, body, onProgress, signal) {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const xhr = new XMLHttpRequest();
      let stallTimer: ReturnType<typeof setTimeout> | undefined;
      const armStallTimer = () => {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => {
          xhr.abort();
          finish(() => reject(new PartPutError(0, "the upload stalled")));
        }, STALL_TIMEOUT_MS);
      };
      const onAbort = () => {
        xhr.abort();
        finish(() => reject(signal.reason));
      };
      let settled = false;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(stallTimer);
        signal.removeEventListener("abort", onAbort);
        settle();
      };

      xhr.open("PUT", url);
      xhr.upload.addEventListener("progress", (event) => {
        armStallTimer();
        onProgress(event.loaded);
      });
      xhr.addEventListener("load", () => {
        if (xhr.status < 200 || xhr.status >= 300) {
          return finish(() => reject(new PartPutError(xhr.status, `storage answered HTTP ${xhr.status}`)));
        }
        const etag = xhr.getResponseHeader("ETag");
        if (!etag) {
          // Only happens when the bucket's CORS rules do not expose ETag: retrying cannot help.
          return finish(() =>
            reject(
              new PartPutError(
                xhr.status,
                "storage did not expose the part's ETag (check bucket CORS)",
                false,
              ),
            ),
          );
        }
        finish(() => resolve({ etag }));
      });
      xhr.addEventListener("error", () => finish(() => reject(new PartPutError(0, "network error"))));
      xhr.addEventListener("timeout", () =>
        finish(() => reject(new PartPutError(0, "the upload timed out"))),
      );
      signal.addEventListener("abort", onAbort, { once: true });
      armStallTimer();
      xhr.send(body);
    });
  },
};
