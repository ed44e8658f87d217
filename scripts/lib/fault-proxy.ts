/**
 * A fault-injecting HTTP proxy for tests and benches, put in front of the embedded S3
 * (s3-server.ts) or any loopback HTTP server. It forwards every request unchanged (the Host
 * header too, so SigV4 signatures made for the proxy's address still verify upstream) and
 * records it; rules matched by method and path pattern turn a number of requests into faults:
 *
 *   status  answer with this status and an S3-style XML error (500 InternalError, 503 SlowDown…)
 *   reset   destroy the client's connection before answering (ECONNRESET on the client)
 *   delay   wait `delayMs`, then forward (a slow storage)
 *   hang    never answer (the client's own timeout must end it)
 *
 * Control is over HTTP too, so a Worker under test in workerd can drive it:
 * `POST /__faults` `{ rules: FaultRule[] }` adds rules, `DELETE /__faults` clears them and
 * the log, `GET /__requests?path=<regex>` lists what was received.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface FaultRule {
  /** Only requests of this method (any when absent). */
  method?: string;
  /** A regular expression (source) tested against the request path and query. */
  path: string;
  fault: "status" | "reset" | "delay" | "hang";
  /** For `status`. */
  status?: number;
  /** For `delay`. */
  delayMs?: number;
  /** How many matching requests this rule takes; every one when absent. */
  times?: number;
  /** The rule lapses this long after it was added ("the fleet answers 503 for a minute"). */
  forMs?: number;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  /** The fault applied, if any. */
  fault?: FaultRule["fault"];
  at: number;
}

export interface FaultProxy {
  url: string;
  port: number;
  addRules(rules: FaultRule[]): void;
  /** Forgets every rule and the request log. */
  reset(): void;
  requests(pathPattern?: RegExp): ProxiedRequest[];
  close(): Promise<void>;
}

const S3_CODES: Record<number, string> = {
  500: "InternalError",
  502: "BadGateway",
  503: "SlowDown",
  504: "GatewayTimeout",
};

type LiveRule = FaultRule & { pattern: RegExp; left: number; until: number };

export async function startFaultProxy(opts: { target: string; port?: number }): Promise<FaultProxy> {
  const target = new URL(opts.target);
  let rules: LiveRule[] = [];
  let log: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();

  const addRules = (added: FaultRule[]) => {
    rules.push(
      ...added.map((r) => ({
        ...r,
        pattern: new RegExp(r.path),
        left: r.times ?? Number.POSITIVE_INFINITY,
        until: r.forMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + r.forMs,
      })),
    );
  };
  const take = (method: string, path: string) => {
    const now = Date.now();
    const rule = rules.find(
      (r) => r.left > 0 && now < r.until && (!r.method || r.method === method) && r.pattern.test(path),
    );
    if (rule) rule.left--;
    return rule;
  };
  const requests = (pattern?: RegExp) => log.filter((r) => !pattern || pattern.test(r.path));

  const server = createServer(async (req, res) => {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    if (path === "/__faults" || path.startsWith("/__requests")) return control(req, res);
    const rule = take(method, path);
    log.push({ method, path, at: Date.now(), ...(rule ? { fault: rule.fault } : {}) });
    if (!rule) return forward(req, res, target);
    switch (rule.fault) {
      case "reset":
        req.socket.destroy();
        return;
      case "hang":
        return; // the socket stays open until the client gives up or the proxy closes
      case "status":
        return sendS3Error(req, res, rule.status ?? 500);
      case "delay":
        await new Promise((r) => setTimeout(r, rule.delayMs ?? 1000));
        return forward(req, res, target);
    }
  });

  async function control(req: IncomingMessage, res: ServerResponse) {
    let body = "";
    for await (const chunk of req) body += chunk;
    const url = new URL(req.url ?? "/", "http://proxy");
    if (req.method === "POST" && url.pathname === "/__faults") {
      addRules((JSON.parse(body) as { rules: FaultRule[] }).rules);
      return res.writeHead(204).end();
    }
    if (req.method === "DELETE" && url.pathname === "/__faults") {
      rules = [];
      log = [];
      return res.writeHead(204).end();
    }
    const pattern = url.searchParams.get("path");
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ requests: requests(pattern ? new RegExp(pattern) : undefined) }));
  }

  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    addRules,
    reset: () => {
      rules = [];
      log = [];
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function forward(req: IncomingMessage, res: ServerResponse, target: URL) {
  const upstream = httpRequest(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on("error", () => res.destroy());
  req.pipe(upstream);
}

async function sendS3Error(req: IncomingMessage, res: ServerResponse, status: number) {
  for await (const _ of req) {
    // drain the body, as a real server would before answering
  }
  const code = S3_CODES[status] ?? "InternalError";
  const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected fault</Message></Error>`;
  res.writeHead(status, {
    "content-type": "application/xml",
    ...(status === 503 ? { "retry-after": "1" } : {}),
  });
  res.end(xml);
}
