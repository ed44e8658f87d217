/**
 * API fuzzing inside workerd (the real edge Worker, D1, Durable Objects, rate limiters,
 * s3rver): every operation of `GET /api/openapi.json` — or, until the edge serves it, the
 * routes `known-routes.ts` lists — plus the routes outside the public description gets
 * fast-check-generated hostile requests, sent through the Worker's own fetch handler.
 * Rules in `response-rules.ts`: never a 5xx, always the error shape, no stack traces,
 * an answer within a bound. Known open holes are counted and printed, new ones fail with
 * the exact request.
 *
 *   npm test: ≥ 500 requests, fixed seed; npm run attack: ATTACK_FUZZ_REQUESTS (10,000)
 *   with a fresh seed (ATTACK_SEED replays one).
 */
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestUser } from "../../edge/test/auth.ts";
import { call, callJson, ORIGIN } from "../../edge/test/http.ts";
import { FUZZ_SEED as SEED, FUZZ_REQUESTS as TOTAL } from "./fuzz-settings.ts";
import {
  describeRequest,
  type Fixtures,
  materialize,
  type RequestSpec,
  requestFor,
} from "./hostile-requests.ts";
import { EXTRA_DOCUMENT, FALLBACK_DOCUMENT } from "./known-routes.ts";
import { type OpenApiDocument, type Operation, operationsOf } from "./openapi-operations.ts";
import {
  type Answer,
  KNOWN_FINDINGS,
  type KnownFinding,
  knownFindingFor,
  SLOW_MS,
  type Violation,
  violationsOf,
} from "./response-rules.ts";

interface Finding {
  spec: RequestSpec;
  answer: Answer;
  violation: Violation;
  known?: KnownFinding;
}

async function send(req: Request): Promise<Answer> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${SLOW_MS * 2} ms`)), SLOW_MS * 2);
  });
  try {
    const res = await Promise.race([exports.default.fetch(req), timeout]);
    const text = res.webSocket ? "" : await Promise.race([res.text(), timeout]);
    res.webSocket?.accept();
    res.webSocket?.close(1000, "fuzz");
    return {
      status: res.status,
      contentType: res.headers.get("content-type") ?? "",
      text,
      ms: performance.now() - started,
      pathname: new URL(req.url).pathname,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Users, their videos and sessions; rebuilt when a fuzz request deletes one of them. */
async function makeFixtures(): Promise<Fixtures & { owner: TestUser; other: TestUser }> {
  const [owner, other] = await Promise.all([signUp(), signUp()]);
  const upload = async (u: TestUser) => {
    const res = await callJson<{ videoId: string }>("/api/uploads", {
      method: "POST",
      json: { filename: "clip.mp4", size: 1000, contentType: "video/mp4" },
      headers: u.auth,
    });
    if (res.status !== 201) throw new Error(`fixture upload: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.videoId;
  };
  const session = async (u: TestUser) => {
    const res = await callJson<{ sessions: { id: string }[] }>("/api/sessions", { headers: u.auth });
    return res.body.sessions?.[0]?.id ?? "s_AAAAAAAAAAAAAAAAAAAA";
  };
  const [ownVideo, otherVideo, ownSession, otherSession] = await Promise.all([
    upload(owner),
    upload(other),
    session(owner),
    session(other),
  ]);
  return {
    origin: ORIGIN,
    owner,
    other,
    tokens: { owner: owner.accessToken, other: other.accessToken },
    refs: {
      $ownVideo: ownVideo,
      $otherVideo: otherVideo,
      $missingVideo: "v_ZZZZZZZZZZZZZZZZ",
      $ownSession: ownSession,
      $otherSession: otherSession,
    },
  };
}

/**
 * A 2xx DELETE (or abort, or session revoke) may have removed a fixture, and a rate-limited
 * upload means the owner is spent (10 a minute): start over with fresh users.
 */
const renewFixtures = (spec: RequestSpec, status: number) =>
  (status < 300 && (spec.method === "DELETE" || /\/sessions\/|\/auth\/logout/.test(spec.op))) ||
  (status === 429 && spec.op === "POST /api/uploads");

describe("API fuzzing (fast-check, inside workerd)", () => {
  let document: OpenApiDocument = FALLBACK_DOCUMENT;
  let source = "known-routes.ts (GET /api/openapi.json not served yet)";
  let operations: Operation[] = [];

  beforeAll(async () => {
    const res = await call("/api/openapi.json");
    if (res.status === 200 && (res.headers.get("content-type") ?? "").includes("json")) {
      document = (await res.json()) as OpenApiDocument;
      source = `GET /api/openapi.json (OpenAPI ${document.openapi})`;
    } else {
      await res.body?.cancel();
    }
    const documented = operationsOf(document);
    // Extras the document already describes (under any parameter names) are not sent twice.
    const shape = (o: Operation) => `${o.method} ${o.path.replace(/\{[^}]+\}/g, "{}")}`;
    const seen = new Set(documented.map(shape));
    operations = [...documented, ...operationsOf(EXTRA_DOCUMENT).filter((o) => !seen.has(shape(o)))];
  });

  it("the OpenAPI document (when served) lists every API route the fuzzer knows", () => {
    console.log(`[attack:fuzz] operations from ${source}: ${operations.length}`);
    if (document === FALLBACK_DOCUMENT) return;
    const documented = new Set(operationsOf(document).map((o) => o.id));
    const missing = operationsOf(FALLBACK_DOCUMENT)
      .map((o) => o.id)
      .filter((op) => !documented.has(op));
    expect(missing, "routes mounted by the edge but missing from /api/openapi.json").toEqual([]);
  });

  it(`${TOTAL} hostile requests over every operation: never a 5xx, always the error shape`, async () => {
    let fx = await makeFixtures();
    const perOp = Math.ceil(TOTAL / operations.length);
    const findings: Finding[] = [];
    const stats = new Map<
      string,
      { n: number; statuses: Map<number, number>; maxMs: number; totalMs: number }
    >();
    const started = performance.now();
    let sent = 0;
    let unsendable = 0;
    for (const [i, op] of operations.entries()) {
      const specs = fc.sample(requestFor(op), { numRuns: perOp, seed: SEED + i });
      const s = { n: 0, statuses: new Map<number, number>(), maxMs: 0, totalMs: 0 };
      stats.set(op.id, s);
      for (const spec of specs) {
        let req: Request;
        try {
          req = materialize(spec, fx);
        } catch {
          unsendable += 1; // e.g. a method or header value `Request` itself refuses
          continue;
        }
        let answer: Answer;
        try {
          answer = await send(req);
        } catch (err) {
          answer = {
            status: 0,
            contentType: "",
            text: String(err),
            ms: SLOW_MS * 2,
            pathname: new URL(req.url).pathname,
          };
          findings.push({ spec, answer, violation: { rule: "threw", detail: String(err) } });
          continue;
        } finally {
          sent += 1;
        }
        s.n += 1;
        s.statuses.set(answer.status, (s.statuses.get(answer.status) ?? 0) + 1);
        s.maxMs = Math.max(s.maxMs, answer.ms);
        s.totalMs += answer.ms;
        for (const violation of violationsOf(spec, answer)) {
          const known = knownFindingFor(spec, answer, violation);
          findings.push({ spec, answer, violation, ...(known ? { known } : {}) });
        }
        if (renewFixtures(spec, answer.status)) fx = await makeFixtures();
      }
    }
    const seconds = (performance.now() - started) / 1000;

    const lines = [...stats].map(([id, s]) => {
      const statuses = [...s.statuses]
        .sort(([a], [b]) => a - b)
        .map(([k, v]) => `${k}×${v}`)
        .join(" ");
      return `  ${id.padEnd(44)} ${String(s.n).padStart(5)}  avg ${(s.totalMs / Math.max(1, s.n)).toFixed(1)} ms  max ${s.maxMs.toFixed(0)} ms  ${statuses}`;
    });
    const known = findings.filter((f) => f.known);
    const fresh = findings.filter((f) => !f.known);
    const knownLines = KNOWN_FINDINGS.flatMap((k) => {
      const hits = known.filter((f) => f.known === k);
      const label = k.hole ? `hole ${k.hole}` : "reported";
      const first = hits[0];
      return [
        `  ${k.id} (${label}): ${hits.length} — ${k.title}`,
        ...(first ? [`    e.g. ${describeRequest(first.spec)}`] : []),
      ];
    });
    const byFinding = Object.fromEntries(
      KNOWN_FINDINGS.map((k) => [k.id, known.filter((f) => f.known === k).length]),
    );
    console.log(
      [
        `[attack:fuzz] ${sent} requests (${unsendable} unsendable specs skipped) over ${operations.length} operations in ${seconds.toFixed(1)} s, seed ${SEED}, source ${source}`,
        ...lines,
        `[attack:fuzz] known findings (each fix empties its line): ${known.length}`,
        ...knownLines,
        `[attack:fuzz] new findings: ${fresh.length}`,
        `ATTACK_FUZZ_SUMMARY ${JSON.stringify({ requests: sent, operations: operations.length, seconds: Number(seconds.toFixed(1)), seed: SEED, source, known: byFinding, fresh: fresh.length })}`,
      ].join("\n"),
    );
    expect(sent).toBeGreaterThanOrEqual(Math.min(TOTAL, 500));
    expect(
      fresh
        .slice(0, 10)
        .map((f) => `${f.violation.rule}: ${f.violation.detail}\n    ${describeRequest(f.spec)}`),
      "requests that broke a rule (exact requests; fixtures: $ownVideo etc. are this run's ids)",
    ).toEqual([]);
  }, 1_200_000);

  // Hole 14 (issue 11), fixed: the contracts refuse control characters in every string
  // that reaches a header or a storage key (400 validation_failed).
  it("hole 14: POST /api/uploads with CR/LF inside contentType is a 4xx in the error shape, not a 500", async () => {
    const user = await signUp();
    const res = await callJson<{ error?: { code: string; message: string } }>("/api/uploads", {
      method: "POST",
      json: { filename: "clip.mp4", size: 1000, contentType: "video/mp4\r\nx-injected: 1" },
      headers: user.auth,
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error?.code).toMatch(/^[a-z_]+$/);
  });
});
