import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../lib/app-env.ts";
import { errorResponse } from "../../lib/errors.ts";
import { apiBodyLimit } from "./index.ts";

const app = new Hono<AppEnv>()
  .use(apiBodyLimit(1024))
  .post("/echo", async (c) => c.json({ length: (await c.req.text()).length }))
  .onError((err, c) => errorResponse(c, err));

describe("API body limit", () => {
  it("passes bodies up to the cap", async () => {
    const res = await app.request("/echo", { method: "POST", body: "x".repeat(1024) });
    expect(await res.json()).toEqual({ length: 1024 });
  });

  it("refuses a declared oversize body with 413 before reading it", async () => {
    const res = await app.request("/echo", { method: "POST", body: "x".repeat(1025) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: { code: "payload_too_large", message: "request body over 1024 bytes" },
    });
  });

  it("refuses a streamed body as soon as it crosses the cap", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled > 100) return controller.close();
        controller.enqueue(new Uint8Array(512));
      },
    });
    const res = await app.request("/echo", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(10);
  });
});
