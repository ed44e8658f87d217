import { describe, expect, it } from "vitest";
import { roleOf } from "./processes.ts";

describe("roleOf", () => {
  it("tells wrangler dev's two workerd processes apart by their entry socket", () => {
    const bin = "/x/node_modules/@cloudflare/workerd-linux-64/bin/workerd serve --binary --experimental";
    expect(roleOf("workerd", `${bin} --socket-addr=entry=127.0.0.1:0 --external-addr=loopback`)).toBe(
      "workerd-workers",
    );
    expect(roleOf("workerd", `${bin} --socket-addr=entry=127.0.0.1:8971 --external-addr=loopback`)).toBe(
      "workerd-proxy",
    );
  });

  it("names the stack's Node processes by what they run", () => {
    expect(roleOf("MainThread", "node /w/node_modules/wrangler/bin/wrangler.js dev -c wrangler.toml")).toBe(
      "wrangler-launcher",
    );
    expect(roleOf("MainThread", "node --no-warnings /w/node_modules/wrangler/wrangler-dist/cli.js dev")).toBe(
      "wrangler",
    );
    expect(roleOf("node", "node /w/transcoder/src/main.ts")).toBe("transcoder");
    expect(roleOf("ffmpeg", "ffmpeg -i x")).toBe("ffmpeg");
  });
});
