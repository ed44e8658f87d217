/**
 * Hole 7 of issue 11: the events intake is unauthenticated until its signature is checked,
 * so it must refuse an oversized body before reading it — by Content-Length when declared,
 * and by counting when the body streams (chunked).
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_EVENT_BYTES } from "./events.routes.ts";

const TWO_MB = 2 * 1024 * 1024;
const CHUNK = 16 * 1024;
const URL = "http://127.0.0.1:8787/internal/transcoder/events";

/** A 2 MB body produced on demand; `pulled()` says how much of it the Worker asked for. */
function lazyBody() {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= TWO_MB) return controller.close();
      sent += CHUNK;
      controller.enqueue(new Uint8Array(CHUNK).fill(0x7b));
    },
  });
  return { stream, pulled: () => sent };
}

describe("POST /internal/transcoder/events refuses an oversized body before reading it", () => {
  it("declared: Content-Length 2 MB → 413 with (almost) nothing read", async () => {
    const body = lazyBody();
    const sized = new FixedLengthStream(TWO_MB);
    const piping = body.stream.pipeTo(sized.writable).catch(() => {});
    const res = await exports.default.fetch(
      new Request(URL, {
        method: "POST",
        body: sized.readable,
        headers: { "content-type": "application/json" },
      }),
    );
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
    expect(body.pulled()).toBeLessThan(MAX_EVENT_BYTES);
    await sized.readable.cancel().catch(() => {});
    void piping;
  });

  it("chunked: a 2 MB stream → 413 after at most the cap (+ one chunk) was read", async () => {
    const body = lazyBody();
    const res = await exports.default.fetch(
      new Request(URL, {
        method: "POST",
        body: body.stream,
        headers: { "content-type": "application/json" },
      }),
    );
    expect(res.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(MAX_EVENT_BYTES + 2 * CHUNK);
  });

  it("a body under the cap still reaches the signature check (401, not 413)", async () => {
    const res = await exports.default.fetch(
      new Request(URL, { method: "POST", body: "{}", headers: { "content-type": "application/json" } }),
    );
    expect(res.status).toBe(401);
  });
});
