/**
 * Test helper: a tiny node:http stand-in for the edge's events endpoint. It records
 * exactly what the transcoder sent (after checking the signature and the contracts
 * schema), and can be told to fail the next N requests to exercise retries.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { SIGNATURE_HEADER, TranscoderEvent, verifyRequest } from "@streamline/contracts";

export interface EventRecorder {
  url: string;
  events: TranscoderEvent[];
  /** Requests rejected because of a bad signature or schema. */
  rejected: { status: number; reason: string }[];
  failNext(n: number, status?: number): void;
  waitFor(predicate: (events: TranscoderEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** `port`: 0 for any; a fixed one brings "the edge" back where a reporter already points. */
export async function startEventRecorder(secret: string, port = 0): Promise<EventRecorder> {
  const events: TranscoderEvent[] = [];
  const rejected: { status: number; reason: string }[] = [];
  let failures = 0;
  let failStatus = 503;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const reply = (status: number, json: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(json));
    };
    if (req.method !== "POST" || req.url !== "/internal/transcoder/events")
      return reply(404, { error: "not found" });
    if (failures > 0) {
      failures -= 1;
      return reply(failStatus, { error: { code: "injected", message: "injected failure" } });
    }
    // Verified like the edge: fleet→edge key, this request's method, path and body.
    const check = await verifyRequest(
      secret,
      "fleet-to-edge",
      { method: req.method ?? "", path: req.url ?? "", body },
      req.headers[SIGNATURE_HEADER] as string | undefined,
    );
    if (!check.ok) {
      rejected.push({ status: 401, reason: check.reason });
      return reply(401, { error: { code: "bad_signature", message: check.reason } });
    }
    const parsed = TranscoderEvent.safeParse(JSON.parse(body));
    if (!parsed.success) {
      rejected.push({ status: 400, reason: parsed.error.message });
      return reply(400, { error: { code: "invalid_event", message: parsed.error.message } });
    }
    events.push(parsed.data);
    reply(204, null);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    events,
    rejected,
    failNext(n, status = 503) {
      failures = n;
      failStatus = status;
    },
    async waitFor(predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for events; got ${events.map((e) => e.type).join(",")}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
