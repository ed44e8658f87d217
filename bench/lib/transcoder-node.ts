/**
 * A real transcoder node (transcoder/src/main.ts) started by a bench, outside the stack:
 * the API load samples an idle node's memory, the throughput bench runs one or two nodes
 * (sharing Redis) against its own S3 and event recorder.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { S3_CREDENTIALS } from "../../scripts/lib/s3-server.ts";
import { ROOT } from "../../scripts/lib/stack.ts";
import { freePort } from "../../transcoder/src/testing/redis.ts";

export interface TranscoderNode {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function startTranscoderNode(opts: {
  edgeUrl: string;
  s3Endpoint: string;
  secret: string;
  env?: Record<string, string>;
}): Promise<TranscoderNode> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, "transcoder/src/main.ts")], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      STREAMLINE_DEV: "1",
      HOST: "127.0.0.1",
      PORT: String(port),
      EDGE_URL: opts.edgeUrl,
      TRANSCODER_SECRET: opts.secret,
      S3_ENDPOINT: opts.s3Endpoint,
      S3_BUCKET: "streamline",
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
      LOG_LEVEL: "warn",
      ...opts.env,
    },
  });
  const tail: string[] = [];
  const keep = (c: Buffer) => {
    tail.push(...c.toString("utf8").split("\n").filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 100));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`transcoder exited ${child.exitCode}:\n${tail.join("\n")}`);
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`transcoder did not answer:\n${tail.join("\n")}`);
    await sleep(200);
  }
  return {
    url,
    child,
    output: () => tail.join("\n"),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || !child.pid) return resolve();
        const kill = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 10_000);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        process.kill(-child.pid, "SIGTERM");
      }),
  };
}
