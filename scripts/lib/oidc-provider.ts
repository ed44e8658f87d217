/**
 * A real OpenID Provider on loopback for tests (and a local issuer to point the edge at):
 * `oidc-provider` (panva, certified) with its development login and consent pages
 * (devInteractions), one RS256 signing key generated at start, PKCE required, and ID tokens
 * that carry the `email` and `profile` claims the way Google's do (conformIdTokenClaims off).
 *
 * Accounts: any login name works with any password (that is what devInteractions does). The
 * account's claims come from `accounts` when listed there, else from the name itself:
 * `ana.lima` → email `ana.lima@example.com` (verified), name "Ana Lima"; a name starting with
 * `unverified` has `email_verified: false`. The `sub` is the login name.
 *
 * http on loopback only: the edge allows an insecure issuer only when it is loopback (ADR 0012).
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider, { type Configuration } from "oidc-provider";

export interface OidcTestClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface OidcAccountClaims {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface OidcProviderOptions {
  clients: OidcTestClient[];
  /** 0 = any free port. */
  port?: number;
  accounts?: Record<string, OidcAccountClaims>;
}

export interface RunningOidcProvider {
  /** `http://127.0.0.1:<port>` — what OIDC_GOOGLE_ISSUER is set to. */
  issuer: string;
  provider: Provider;
  close(): Promise<void>;
}

/** The claims of a login name that is not listed (see the module comment). */
export function claimsOfLogin(login: string): Required<OidcAccountClaims> {
  const name = login
    .split(/[._-]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
  return {
    email: `${login.toLowerCase()}@example.com`,
    email_verified: !login.startsWith("unverified"),
    name: name || login,
  };
}

async function configuration(options: OidcProviderOptions): Promise<Configuration> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = {
    ...(await exportJWK(privateKey)),
    kid: `test-${randomBytes(4).toString("hex")}`,
    alg: "RS256",
  };
  return {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    })),
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    async findAccount(_ctx, id) {
      const claims = options.accounts?.[id] ?? claimsOfLogin(id);
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
  } as Configuration;
}

export async function startOidcProvider(options: OidcProviderOptions): Promise<RunningOidcProvider> {
  // Bind first so the issuer URL (which must carry the port) is known before the provider exists.
  let handler: ((req: never, res: never) => void) | null = null;
  const server: Server = createServer((req, res) => handler?.(req as never, res as never));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, await configuration(options));
  handler = provider.callback() as never;
  return {
    issuer,
    provider,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
