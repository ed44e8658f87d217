/**
 * A tiny OpenID issuer for the edge tests of ID-token checks: real discovery, a real JWKS
 * (an RS256 key made at start), a real authorization endpoint (redirects back with a code)
 * and a real token endpoint (client secret and PKCE S256 checked, codes single-use) — whose
 * ID token is deliberately wrong in the way the authorization request's `scenario` parameter
 * asks: `wrong_nonce`, `wrong_aud`, `expired`, `wrong_iss`, `foreign_key` (signed by a key
 * not in the JWKS), `wrong_azp`, `error` (the authorization answers `access_denied`), or `ok`.
 * `sub`, `email`, `email_verified` and `name` parameters set those claims.
 *
 * oidc-provider (scripts/lib/oidc-provider.ts) is the real provider for the flows; this one
 * exists because a certified provider never issues a broken token.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export interface CraftedIssuer {
  issuer: string;
  close(): Promise<void>;
}

interface Grant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  params: URLSearchParams;
}

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

const b64url = (buf: Buffer) => buf.toString("base64url");

async function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

/** The ID token for a grant, wrong in the way its scenario says. */
async function idToken(issuer: string, grant: Grant, keys: { good: KeyPair; foreign: KeyPair }) {
  const p = grant.params;
  const scenario = p.get("scenario") ?? "ok";
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    nonce: scenario === "wrong_nonce" ? "not-the-nonce" : p.get("nonce"),
    email: p.get("email") ?? `${p.get("sub") ?? "crafted"}@example.com`,
    email_verified: p.get("email_verified") !== "false",
    name: p.get("name") ?? "Crafted Person",
  };
  if (scenario === "wrong_azp") {
    claims.azp = "someone-else";
  }
  const audience =
    scenario === "wrong_aud"
      ? "someone-else"
      : scenario === "wrong_azp"
        ? [grant.clientId, "someone-else"]
        : grant.clientId;
  const [iat, exp] = scenario === "expired" ? [now - 7200, now - 3600] : [now, now + 300];
  const key = scenario === "foreign_key" ? keys.foreign : keys.good;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: "crafted-1" })
    .setIssuer(scenario === "wrong_iss" ? "https://evil.example" : issuer)
    .setSubject(p.get("sub") ?? "crafted-subject")
    .setAudience(audience)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key.privateKey);
}

export async function startCraftedIssuer(client: {
  clientId: string;
  clientSecret: string;
}): Promise<CraftedIssuer> {
  const keys = { good: await generateKeyPair("RS256"), foreign: await generateKeyPair("RS256") };
  const jwk = { ...(await exportJWK(keys.good.publicKey)), kid: "crafted-1", alg: "RS256", use: "sig" };
  const grants = new Map<string, Grant>();
  let issuer = "";

  const authorize = (url: URL, res: ServerResponse) => {
    const p = url.searchParams;
    const redirectUri = p.get("redirect_uri") ?? "";
    if (p.get("client_id") !== client.clientId || !redirectUri)
      return send(res, 400, { error: "invalid_client" });
    const back = new URL(redirectUri);
    back.searchParams.set("state", p.get("state") ?? "");
    if (p.get("scenario") === "error") back.searchParams.set("error", "access_denied");
    else {
      const code = b64url(randomBytes(24));
      grants.set(code, {
        clientId: client.clientId,
        redirectUri,
        challenge: p.get("code_challenge") ?? "",
        params: p,
      });
      back.searchParams.set("code", code);
    }
    res.writeHead(302, { location: back.href });
    res.end();
  };

  const token = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const basic = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
    const [id, secret] = basic.split(":").map(decodeURIComponent);
    if (id !== client.clientId || secret !== client.clientSecret)
      return send(res, 401, { error: "invalid_client" });
    const code = body.get("code") ?? "";
    const grant = grants.get(code);
    grants.delete(code);
    const verifier = body.get("code_verifier") ?? "";
    const challenge = b64url(createHash("sha256").update(verifier).digest());
    if (!grant || grant.redirectUri !== body.get("redirect_uri") || challenge !== grant.challenge) {
      return send(res, 400, {
        error: "invalid_grant",
        error_description: "code, redirect_uri or PKCE verifier",
      });
    }
    const id_token = await idToken(issuer, grant, keys);
    send(res, 200, {
      access_token: b64url(randomBytes(16)),
      token_type: "Bearer",
      expires_in: 300,
      id_token,
    });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    if (url.pathname === "/.well-known/openid-configuration") {
      return send(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic"],
      });
    }
    if (url.pathname === "/jwks") return send(res, 200, { keys: [jwk] });
    if (url.pathname === "/authorize") return authorize(url, res);
    if (url.pathname === "/token" && req.method === "POST") return void token(req, res);
    send(res, 404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
