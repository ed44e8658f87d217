import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ORIGIN } from "../test/http.ts";

const send = (method: string, path: string) =>
  exports.default.fetch(new Request(`${ORIGIN}${path}`, { method }));

describe("page fall-through to the site", () => {
  it("forwards well-formed page paths to the SITE binding", async () => {
    for (const path of ["/watch/abc", "/watch/%41%2F", "/watch/caf%C3%A9?q=%20x"]) {
      const res = await send("GET", path);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toMatch(/^site:\/watch\//);
    }
  });

  // workerd's subrequest refuses a URL with a malformed percent-escape ("Invalid URL
  // string"), which used to be a 500: the request target is malformed, so it is a 400.
  it.each([
    ["GET", "/watch/%"],
    ["POST", "/watch/%zz"],
    ["GET", "/watch/%E0%A4%A"],
    ["HEAD", "/%"],
    ["GET", "/watch/abc?q=%zz"],
  ])("%s %s → 400 bad_request in the error shape", async (method, path) => {
    const res = await send(method, path);
    expect(res.status).toBe(400);
    if (method !== "HEAD") {
      expect(await res.json()).toEqual({
        error: { code: "bad_request", message: "malformed percent-escape in the URL" },
      });
    }
  });
});
