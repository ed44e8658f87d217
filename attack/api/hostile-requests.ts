/**
 * fast-check arbitraries of hostile requests for one operation: path parameters (real
 * ids, ids of someone else, well-formed ids that do not exist, traversal, malformed
 * percent-escapes, unicode, huge), query strings (declared parameters with wrong types,
 * unknown and prototype-polluting keys, repeats), bodies (schema-valid, schema-valid with
 * hostile fields, `__proto__`/`constructor` keys, wrong JSON types, broken JSON, deep
 * nesting, oversized), content types, credentials and client headers.
 *
 * An arbitrary yields a small printable `RequestSpec`; `materialize` turns it into a
 * `Request` against the live fixtures (tokens, ids), so a reported spec replays as is.
 */
import fc from "fast-check";
import type { JsonSchema, Operation, Parameter } from "./openapi-operations.ts";

/** Who the request claims to be; resolved against the run's fixtures at send time. */
export type AuthKind =
  | "none"
  | "owner"
  | "other-user"
  | "garbage-bearer"
  | "empty-bearer"
  | "alg-none-jwt"
  | "tampered-jwt"
  | "basic"
  | "api-key"
  | "huge-bearer"
  | "two-schemes";

/** Placeholders for ids that exist in this run (resolved by `materialize`). */
export const REFS = ["$ownVideo", "$otherVideo", "$missingVideo", "$ownSession", "$otherSession"] as const;
export type Ref = (typeof REFS)[number];

export type BodySpec =
  | { kind: "none" }
  | { kind: "json"; value: unknown }
  | { kind: "text"; text: string }
  /** `unit` repeated `count` times (big bodies stay printable). */
  | { kind: "repeat"; unit: string; count: number }
  | { kind: "bytes"; bytes: number[] };

export interface RequestSpec {
  op: string;
  method: string;
  path: string;
  query: [string, string][];
  auth: AuthKind;
  contentType: string | null;
  body: BodySpec;
  headers: [string, string][];
}

export interface Fixtures {
  origin: string;
  tokens: { owner: string; other: string };
  refs: Record<Ref, string>;
}

// ---- strings -----------------------------------------------------------------------

/** Strings that broke something somewhere once: controls, injection, unicode trouble. */
const NASTY_STRINGS = [
  "",
  " ",
  "\t",
  "\r\n",
  "video/mp4\r\nx-injected: 1",
  "clip\r\n.mp4",
  "a\nb",
  "\u0000",
  "nul\u0000byte",
  "\u0007\u0008\u001b[31m",
  "\u202etxt.exe",
  "\u200b",
  "\ufeff",
  "\ud800",
  "😀",
  "𝕿𝖍𝖊",
  "é",
  "ﬀ",
  "../../../../etc/passwd",
  "..",
  ".",
  "%",
  "%00",
  "%0d%0a",
  "%E0%A4%A",
  "%ff",
  "\\",
  "/",
  "//",
  "?",
  "#",
  ";",
  "'",
  '"',
  "' OR '1'='1",
  "1; DROP TABLE videos; --",
  "<script>alert(1)</script>",
  "\u0024{jndi:ldap://x}",
  "{{7*7}}",
  "__proto__",
  "constructor",
  "prototype",
  "hasOwnProperty",
  "toString",
  "null",
  "undefined",
  "NaN",
  "-1",
  "0",
  "1e309",
  "9007199254740993",
  "true",
  "[]",
  "{}",
  "v_AAAAAAAAAAAAAAAA",
  "v_",
  "u_0000000000000000",
  "s_00000000000000000000",
];

const hugeString = fc
  .constantFrom(4_096, 70_000)
  .chain((n) => fc.constantFrom("a", "<", "😀", "\r\n", "%").map((u) => u.repeat(Math.ceil(n / u.length))));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 10 }), fc.constantFrom("\r", "\n", "\r\n", "\u0000", "\u0085", "\u2028"))
      .map(([s, c]) => `${s}${c}${s}`),
  },
  { weight: 1, arbitrary: hugeString },
);

// ---- JSON values near a schema -----------------------------------------------------

const typesOf = (s: JsonSchema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

/** A value the schema accepts (as well as we can tell from the subset zod emits). */
export function validValue(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const examples = [...(schema.examples ?? []), ...(schema.example !== undefined ? [schema.example] : [])];
  if (examples.length > 0) {
    const { examples: _e, example: _x, ...rest } = schema;
    // Documented examples are valid by construction; half the time, use one.
    return fc.oneof(fc.constantFrom(...examples), validValue(rest, depth));
  }
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts?.length) return fc.oneof(...alts.map((a) => validValue(a, depth + 1)));
  if (schema.allOf?.length) return validValue(schema.allOf[0] as JsonSchema, depth + 1);
  const type = typesOf(schema).find((t) => t !== "null") ?? (schema.properties ? "object" : undefined);
  switch (type) {
    case "string": {
      if (schema.pattern) {
        try {
          return fc.stringMatching(new RegExp(schema.pattern));
        } catch {
          // a pattern JS cannot compile: any string
        }
      }
      if (schema.format === "email") return fc.emailAddress();
      if (schema.format === "uri" || schema.format === "url") return fc.webUrl();
      const minLength = schema.minLength ?? 0;
      return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 24, 24)) });
    }
    case "integer":
    case "number": {
      const min = typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum + 1 : schema.minimum;
      const max = typeof schema.exclusiveMaximum === "number" ? schema.exclusiveMaximum - 1 : schema.maximum;
      return fc.integer({
        min: Math.max(Number.MIN_SAFE_INTEGER, Math.ceil(min ?? -1_000)),
        max: Math.min(Number.MAX_SAFE_INTEGER, Math.floor(max ?? 100_000_000)),
      });
    }
    case "boolean":
      return fc.boolean();
    case "array": {
      if (depth > 4) return fc.constant([]);
      const minLength = schema.minItems ?? 0;
      return fc.array(validValue(schema.items ?? {}, depth + 1), {
        minLength,
        maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 4, 4)),
      });
    }
    case "object": {
      if (depth > 4) return fc.constant({});
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) record[k] = validValue(v, depth + 1);
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in props) });
    }
    case "null":
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Own, enumerable keys that JSON.stringify keeps (an object literal's `__proto__` would not). */
function withOwnKey(target: Record<string, unknown>, key: string, value: unknown) {
  const out: Record<string, unknown> = { ...target };
  Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
  return out;
}

const deepNest = fc
  .tuple(fc.constantFrom(64, 1_000, 20_000), fc.boolean())
  .map(([n, arrays]) =>
    arrays ? `${"[".repeat(n)}${"]".repeat(n)}` : `${'{"a":'.repeat(n)}1${"}".repeat(n)}`,
  );

export const hostileJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    -0,
    1e308,
    Number.MAX_SAFE_INTEGER + 2,
    Number.MIN_SAFE_INTEGER - 2,
    [],
    {},
    [null],
  ),
  fc.double(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant({ __proto__: null, toString: "x", valueOf: 1 }),
);

/** A body: valid, valid with hostile fields, polluted, the wrong JSON type, or not JSON at all. */
export function jsonBody(schema: JsonSchema | undefined): fc.Arbitrary<BodySpec> {
  const valid = validValue(schema ?? {});
  const props = Object.keys(schema?.properties ?? {});
  const mutated = fc
    .tuple(
      valid,
      // Mostly one field at a time: the others stay valid, so the value reaches deep code.
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...(props.length ? props : ["x"])).map((k) => [k]) },
        { weight: 1, arbitrary: fc.subarray(props.length ? props : ["x"], { minLength: 1 }) },
      ),
      fc.array(hostileJsonValue, { minLength: 1, maxLength: 4 }),
    )
    .map(([base, keys, values]) => {
      const out: Record<string, unknown> =
        base && typeof base === "object" && !Array.isArray(base) ? { ...base } : {};
      keys.forEach((k, i) => {
        out[k] = values[i % values.length];
      });
      return out;
    });
  const polluted = fc
    .tuple(valid, fc.constantFrom("__proto__", "constructor", "prototype"), hostileJsonValue)
    .map(([base, key, v]) =>
      withOwnKey(
        base && typeof base === "object" && !Array.isArray(base) ? (base as Record<string, unknown>) : {},
        key,
        key === "constructor"
          ? { prototype: { isAdmin: true, role: "admin" } }
          : { isAdmin: true, polluted: v },
      ),
    );
  // A valid body with a control sequence spliced into one string field (header injection).
  const injected = fc
    .tuple(
      valid,
      fc.nat(),
      fc.nat(),
      fc.constantFrom("\r\n", "\n", "\r", "\u0000", "\r\nx-injected: 1", "\u0085", "\u2028"),
    )
    .map(([base, pick, at, seq]) => {
      if (!base || typeof base !== "object" || Array.isArray(base)) return base;
      const out = { ...(base as Record<string, unknown>) };
      const keys = Object.keys(out).filter(
        (k) => typeof out[k] === "string" && (out[k] as string).length > 0,
      );
      const key = keys[pick % Math.max(1, keys.length)];
      if (key === undefined) return out;
      const v = out[key] as string;
      const i = 1 + (at % Math.max(1, v.length - 1));
      out[key] = `${v.slice(0, i)}${seq}${v.slice(i)}`;
      return out;
    });
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((value) => ({ kind: "json" as const, value })) },
    { weight: 3, arbitrary: injected.map((value) => ({ kind: "json" as const, value })) },
    { weight: 6, arbitrary: mutated.map((value) => ({ kind: "json" as const, value })) },
    { weight: 2, arbitrary: polluted.map((value) => ({ kind: "json" as const, value })) },
    { weight: 2, arbitrary: hostileJsonValue.map((value) => ({ kind: "json" as const, value })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.constantFrom("{", "[", '{"a":', '{"a":1,}', "{'a':1}", "nul", '"', "\u0000", "\ufeff{}", "{}{}"),
          deepNest,
        )
        .map((text) => ({ kind: "text" as const, text })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(" ", "a", '{"a":1}', "\u00e9"), fc.constantFrom(70_000, 1_100_000))
        .map(([unit, n]) => ({ kind: "repeat" as const, unit, count: Math.ceil(n / unit.length) })),
    },
    { weight: 1, arbitrary: fc.constant({ kind: "none" as const }) },
  );
}

/** Bodies for non-JSON media (captions, images): text, bytes, magic numbers, oversized. */
const mediaBody: fc.Arbitrary<BodySpec> = fc.oneof(
  fc
    .constantFrom(
      "WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n",
      "WEBVTT\n\n00:00.000 --> 00:01.000\n<c.x><b><i><u>\n",
      "1\n00:00:00,000 --> 00:00:01,000\nhello\n",
      "not captions",
      "",
    )
    .map((text) => ({ kind: "text" as const, text })),
  fc
    .constantFrom(
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      [0xff, 0xd8, 0xff, 0xe0],
      [0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50],
      [0xc3, 0x28, 0xa0, 0xa1, 0xff, 0xfe],
      [0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70],
    )
    .map((bytes) => ({ kind: "bytes" as const, bytes: [...bytes] })),
  fc.uint8Array({ maxLength: 64 }).map((b) => ({ kind: "bytes" as const, bytes: [...b] })),
  fc
    .tuple(
      fc.constantFrom("<", "a", "\n", "00:00.000 --> 00:01.000\n"),
      fc.constantFrom(70_000, 1_100_000, 6_000_000),
    )
    .map(([unit, n]) => ({ kind: "repeat" as const, unit, count: Math.ceil(n / unit.length) })),
);

// ---- path, query, headers ----------------------------------------------------------

function paramValue(p: Parameter): fc.Arbitrary<string> {
  const valid = validValue(p.schema).map((v) => String(v));
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...REFS) },
    { weight: 2, arbitrary: valid },
    { weight: 5, arbitrary: hostileString },
  );
}

/** A path value, usually percent-encoded, sometimes raw (traversal and malformed escapes). */
const encoded = (value: fc.Arbitrary<string>) =>
  fc
    .tuple(value, fc.constantFrom("encode", "encode", "encode", "raw"))
    .map(([v, how]) => (how === "raw" || (REFS as readonly string[]).includes(v) ? v : safeEncode(v)));

function safeEncode(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return v; // a lone surrogate: send it raw, the URL parser escapes it
  }
}

function queryFor(op: Operation): fc.Arbitrary<[string, string][]> {
  const declared = op.query.map((q) =>
    fc.tuple(fc.constant(q.name), fc.oneof(validValue(q.schema).map(String), hostileString)),
  );
  const unknown = fc.tuple(
    fc.oneof(
      fc.constantFrom("__proto__", "constructor", "__proto__[admin]", "a[b]", "", "x".repeat(300)),
      fc.string(),
    ),
    hostileString,
  );
  return fc.array(fc.oneof(...declared, unknown, unknown), { maxLength: declared.length + 2 });
}

const CONTENT_TYPES = [
  null,
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16",
  "text/plain",
  "text/plain;charset=UTF-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "multipart/form-data; boundary=----x",
  "application/xml",
  "text/vtt",
  "image/png",
  "image/jpeg",
  "image/svg+xml",
  "video/mp4",
  "application/octet-stream",
  "*/*",
  "",
  "json",
  "application/json, text/html",
  "APPLICATION/JSON",
];

/**
 * Header values: visible ASCII. CR/LF/NUL cannot be sent at all (`Headers` refuses them
 * client-side, and so does Cloudflare's front end); bytes over 0x7f are sent by workerd
 * as UTF-8, which no real client would produce.
 */
const headerValue = fc.oneof(
  fc.constantFrom("", " ", "x", "null", "undefined", "a".repeat(8_000)),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
);

const IPS = ["198.51.100.7", "198.51.100.8", "2001:db8:1::7", "203.0.113.9"];

function clientHeaders(): fc.Arbitrary<[string, string][]> {
  const ip = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...IPS) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("", "unknown", "::1", "1.2.3.4, 5.6.7.8", "999.1.1.1", "a".repeat(300)),
    },
    { weight: 1, arbitrary: headerValue },
  );
  const origin = fc.constantFrom(
    null,
    "$origin",
    "https://evil.example",
    "null",
    "http://127.0.0.1:8787.evil.example",
  );
  const extra = fc.array(
    fc.tuple(
      fc.constantFrom(
        "cookie",
        "range",
        "if-none-match",
        "accept",
        "accept-encoding",
        "x-forwarded-for",
        "x-forwarded-host",
        "upgrade",
        "streamline-signature",
        "x-http-method-override",
        "content-encoding",
        "transfer-encoding",
      ),
      fc.oneof(
        fc.constantFrom(
          "sl_refresh=garbage",
          "sl_refresh=",
          "bytes=0-",
          "bytes=-1",
          "bytes=99999999999-1",
          "bytes=1-0",
          "bytes=0-1,2-3",
          "websocket",
          "t=1,v1=00",
          "DELETE",
          "gzip",
          "chunked",
          "*/*",
        ),
        headerValue,
      ),
    ),
    { maxLength: 3 },
  );
  return fc.tuple(ip, origin, extra).map(([ipValue, originValue, rest]) => {
    const h: [string, string][] = [["cf-connecting-ip", ipValue]];
    if (originValue) h.push(["origin", originValue]);
    return [...h, ...rest];
  });
}

/** Mostly the owner (so requests get past auth into validation and storage), often not. */
const authKind: fc.Arbitrary<AuthKind> = fc.oneof(
  { weight: 6, arbitrary: fc.constant("owner" as const) },
  {
    weight: 6,
    arbitrary: fc.constantFrom<AuthKind>(
      "none",
      "other-user",
      "garbage-bearer",
      "empty-bearer",
      "alg-none-jwt",
      "tampered-jwt",
      "basic",
      "api-key",
      "huge-bearer",
      "two-schemes",
    ),
  },
);

const ODD_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND"];

/** Hostile requests for one operation. */
export function requestFor(op: Operation): fc.Arbitrary<RequestSpec> {
  const names = op.pathParams.map((p) => p.name);
  const values = fc.tuple(...op.pathParams.map((p) => encoded(paramValue(p))));
  const documented = op.body.map((b) => b.contentType);
  const jsonSchema = op.body.find((b) => b.contentType.includes("json"))?.schema;
  const takesMedia = op.body.some((b) => !b.contentType.includes("json"));
  const body = takesMedia && !jsonSchema ? fc.oneof(mediaBody, jsonBody(undefined)) : jsonBody(jsonSchema);
  const contentType = fc.oneof(
    {
      weight: documented.length ? 6 : 2,
      arbitrary: fc.constantFrom(...(documented.length ? documented : ["application/json"])),
    },
    { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
  );
  const method = fc.oneof(
    { weight: 19, arbitrary: fc.constant(op.method) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_METHODS) },
  );
  return fc
    .record({
      method,
      values: names.length ? values : fc.constant([] as string[]),
      query: queryFor(op),
      auth: authKind,
      contentType,
      body,
      sendsBody: op.body.length > 0 ? fc.constant(true) : fc.boolean(),
      headers: clientHeaders(),
    })
    .map((r) => {
      let path = op.path;
      names.forEach((n, i) => {
        path = path.replace(`{${n}}`, r.values[i] as string);
      });
      return {
        op: op.id,
        method: r.method,
        path,
        query: r.query,
        auth: r.auth,
        contentType: r.contentType,
        body: r.sendsBody && r.method !== "GET" && r.method !== "HEAD" ? r.body : { kind: "none" as const },
        headers: r.headers,
      };
    });
}

// ---- materialization -----------------------------------------------------------------

const b64url = (s: string) => btoa(s).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

function authorization(kind: AuthKind, fx: Fixtures): string | null {
  switch (kind) {
    case "none":
      return null;
    case "owner":
      return `Bearer ${fx.tokens.owner}`;
    case "other-user":
      return `Bearer ${fx.tokens.other}`;
    case "garbage-bearer":
      return "Bearer not-a-token";
    case "empty-bearer":
      return "Bearer ";
    case "alg-none-jwt": {
      const [, payload] = fx.tokens.owner.split(".");
      return `Bearer ${b64url('{"alg":"none","typ":"JWT"}')}.${payload}.`;
    }
    case "tampered-jwt": {
      const [h, , s] = fx.tokens.owner.split(".");
      const claims = { sub: "u_AAAAAAAAAAAAAAAA", role: "admin", exp: 4_102_444_800 };
      return `Bearer ${h}.${b64url(JSON.stringify(claims))}.${s}`;
    }
    case "basic":
      return `Basic ${btoa("admin:admin")}`;
    case "api-key":
      return "Bearer sl_0123456789abcdef0123456789abcdef";
    case "huge-bearer":
      return `Bearer ${"a".repeat(16_000)}`;
    case "two-schemes":
      return `Bearer ${fx.tokens.other}, Bearer ${fx.tokens.owner}`;
  }
}

function resolveRefs(text: string, fx: Fixtures): string {
  return text.replace(/\$(ownVideo|otherVideo|missingVideo|ownSession|otherSession|origin)/g, (m) =>
    m === "$origin" ? fx.origin : (fx.refs[m as Ref] ?? m),
  );
}

export function bodyBytes(body: BodySpec): string | Uint8Array | undefined {
  switch (body.kind) {
    case "none":
      return undefined;
    case "json":
      return JSON.stringify(body.value) ?? "null";
    case "text":
      return body.text;
    case "repeat":
      return body.unit.repeat(body.count);
    case "bytes":
      return new Uint8Array(body.bytes);
  }
}

/** The spec as a `Request` against this run's fixtures. */
export function materialize(spec: RequestSpec, fx: Fixtures): Request {
  const url = new URL(`${fx.origin}${resolveRefs(spec.path, fx)}`);
  for (const [k, v] of spec.query) url.searchParams.append(k, resolveRefs(v, fx));
  const headers = new Headers();
  for (const [k, v] of spec.headers) headers.append(k, resolveRefs(v, fx));
  const auth = authorization(spec.auth, fx);
  if (auth) headers.set("authorization", auth);
  if (spec.contentType !== null) headers.set("content-type", spec.contentType);
  const raw = bodyBytes(spec.body);
  const body = typeof raw === "string" ? resolveRefs(raw, fx) : raw;
  return new Request(url, { method: spec.method, headers, ...(body !== undefined ? { body } : {}) });
}

/** Printable and well-formed (a lone surrogate breaks the test runner's own WebSocket). */
const printable = (s: string, max = 80) =>
  JSON.stringify(s.length > max ? `${s.slice(0, max / 2)}…(${s.length} chars)` : s).slice(1, -1);

/** A short, exact description of a request for reports (long values elided, escapes shown). */
export function describeRequest(spec: RequestSpec): string {
  const raw = bodyBytes(spec.body);
  const body =
    raw === undefined ? "" : typeof raw === "string" ? `"${printable(raw, 300)}"` : `bytes[${raw.length}]`;
  const query = spec.query.length
    ? `?${spec.query.map(([k, v]) => `${printable(safeEncode(k))}=${printable(safeEncode(v))}`).join("&")}`
    : "";
  const headers = spec.headers.map(([k, v]) => `${k}: "${printable(v)}"`);
  return [
    `${spec.method} ${printable(spec.path, 300)}${query}`,
    `auth=${spec.auth} content-type=${spec.contentType === null ? "none" : `"${printable(spec.contentType)}"`} ${headers.join("; ")}`,
    body ? `body=${body}` : "",
  ]
    .filter(Boolean)
    .join("\n    ");
}
