/**
 * Node-side setup for the edge (workerd) tests: a real S3 server, and a recording
 * transcoder endpoint. The recorder verifies job signatures like the real fleet does and
 * answers with scripted statuses so the consumer's ack/retry paths can be driven; it
 * stands in for a network peer in these unit tests only (e2e runs the real transcoder).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SIGNATURE_HEADER, verifyRequest } from "@streamline/contracts";
import type { TestProject } from "vitest/node";
import { startFaultProxy } from "../../scripts/lib/fault-proxy.ts";
import { startS3Server } from "../../scripts/lib/s3-server.ts";
import { TEST_SECRETS } from "./secrets.ts";

declare module "vitest" {
  export interface ProvidedContext {
    s3Endpoint: string;
    /** The same S3 behind the fault-injecting proxy (scripts/lib/fault-proxy.ts), driven over HTTP. */
    s3FaultProxy: string;
    fleetUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "streamline-edge-s3-"));
  // "sweeper-test" is private to the orphan sweep test, which deletes what it does not know;
  // "cron-test" likewise to the test that runs the whole scheduled handler (metadata.test.ts).
  const s3 = await startS3Server({
    directory: dir,
    port: 0,
    buckets: ["streamline", "sweeper-test", "cron-test"],
  });

  const received = new Map<string, unknown[]>();
  const scripts = new Map<string, (number | string)[]>();
  const cancels = new Map<string, unknown[]>();
  /** The `x-request-id` header of each dispatch, per subject (ADR 0028). */
  const requestIds = new Map<string, (string | null)[]>();
  let healthzCalls = 0;
  const fleet: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(json));
    };
    if (req.method === "POST" && url.pathname === "/__script") {
      const { videoId, statuses } = JSON.parse(body) as { videoId: string; statuses: (number | string)[] };
      scripts.set(videoId, statuses);
      return send(200, { ok: true });
    }
    if (req.method === "GET" && url.pathname === "/__jobs") {
      return send(200, { jobs: received.get(url.searchParams.get("videoId") ?? "") ?? [] });
    }
    if (req.method === "GET" && url.pathname === "/healthz") {
      healthzCalls++;
      return send(200, { ok: true, node: "test-fleet", running: 0, capacity: 1, draining: false });
    }
    if (req.method === "GET" && url.pathname === "/__healthz") return send(200, { calls: healthzCalls });
    // Verified like the real fleet: edge→fleet key, this request's method, path and body.
    const verify = () =>
      verifyRequest(
        TEST_SECRETS.TRANSCODER_SECRET,
        "edge-to-fleet",
        { method: req.method ?? "", path: req.url ?? "", body },
        req.headers[SIGNATURE_HEADER] as string,
      );
    const signed = async () => (await verify()).ok;
    if (req.method === "GET" && url.pathname === "/fleet") {
      if (!(await signed())) return send(401, { error: { code: "bad_signature", message: "unsigned" } });
      return send(200, { nodes: [{ nodeId: "recorder", capacity: 1, running: [] }] });
    }
    const cancel = /^\/jobs\/([^/]+)\/cancel$/.exec(url.pathname);
    if (req.method === "POST" && cancel) {
      if (!(await signed())) return send(401, { error: { code: "bad_signature", message: "unsigned" } });
      const { videoId } = JSON.parse(body) as { videoId: string };
      cancels.set(videoId, [...(cancels.get(videoId) ?? []), JSON.parse(body)]);
      return send(202, {});
    }
    if (req.method === "GET" && url.pathname === "/__request-ids") {
      return send(200, { requestIds: requestIds.get(url.searchParams.get("videoId") ?? "") ?? [] });
    }
    if (req.method === "GET" && url.pathname === "/__cancels") {
      return send(200, { cancels: cancels.get(url.searchParams.get("videoId") ?? "") ?? [] });
    }
    if (req.method === "POST" && url.pathname === "/jobs") {
      const check = await verify();
      if (!check.ok) return send(401, { error: { code: "bad_signature", message: check.reason } });
      // Recorded under the job's subject: its video, or a channel image's user.
      const job = JSON.parse(body) as { videoId?: string; userId?: string };
      const subject = job.videoId ?? job.userId ?? "";
      const list = received.get(subject) ?? [];
      list.push(job);
      received.set(subject, list);
      const header = req.headers["x-request-id"];
      requestIds.set(subject, [
        ...(requestIds.get(subject) ?? []),
        typeof header === "string" ? header : null,
      ]);
      // Scripted answers: a status, or "409:job_claimed"-style status with an error code.
      const [status, code] = String(scripts.get(subject)?.shift() ?? 202).split(":") as [string, string?];
      const n = Number(status);
      const headers: Record<string, string> =
        n === 429 || code === "job_claimed" ? { "retry-after": "7" } : {};
      return send(n, code ? { error: { code, message: code } } : {}, headers);
    }
    send(404, {});
  });
  await new Promise<void>((resolve) => fleet.listen(0, "127.0.0.1", resolve));

  project.provide("s3Endpoint", s3.endpoint);
  const faultProxy = await startFaultProxy({ target: s3.endpoint });
  project.provide("s3FaultProxy", faultProxy.url);
  project.provide("fleetUrl", `http://127.0.0.1:${(fleet.address() as AddressInfo).port}`);

  return async () => {
    await faultProxy.close();
    await s3.close();
    await new Promise((resolve) => fleet.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  };
}
