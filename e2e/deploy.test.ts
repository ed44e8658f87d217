/**
 * Production shape: both Workers build for deployment (`wrangler deploy --dry-run`) with
 * the bindings the README's deploy guide sets up, and the compose file is valid.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildSite, ROOT, SITE_CONFIG, wranglerBin } from "../scripts/lib/stack.ts";

function run(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [wranglerBin(), ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_SEND_METRICS: "false",
        NO_COLOR: "1",
      },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (out += d));
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

describe("deploy dry-run", () => {
  it("builds the edge Worker with its D1, R2, queues, Durable Object, rate limits and site binding", async () => {
    const { code, out } = await run([
      "deploy",
      "--dry-run",
      "--outdir",
      mkdtempSync(join(tmpdir(), "dry-edge-")),
    ]);
    expect(code, out).toBe(0);
    for (const binding of [
      "env.DB",
      "env.MEDIA",
      "env.JOBS",
      "env.JOBS_DLQ",
      "env.VIDEO_ROOM",
      "env.SITE",
      "env.RL_AUTH_IP",
    ])
      expect(out).toContain(binding);
    expect(out).toMatch(/Total Upload/);
  });

  it("builds the site Worker", async () => {
    if (!existsSync(SITE_CONFIG)) buildSite(() => {});
    const { code, out } = await run([
      "deploy",
      "--dry-run",
      "-c",
      SITE_CONFIG,
      "--outdir",
      mkdtempSync(join(tmpdir(), "dry-site-")),
    ]);
    expect(code, out).toBe(0);
    expect(out).toMatch(/Total Upload/);
  });
});
