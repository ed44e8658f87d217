/**
 * The relying party's side of the authorization code flow, over oauth4webapi (a certified
 * library made for runtimes like Workers): discovery from the issuer (cached per isolate),
 * the authorization URL with PKCE (S256), `state` and `nonce`, and the callback — state and
 * issuer checked, the code exchanged with the client secret and the PKCE verifier, the ID
 * token's claims validated (iss, aud, azp, exp/iat, nonce) and its signature verified against
 * the issuer's JWKS. Any failure is an `OidcRefusal` with a code the site turns into a sentence.
 *
 * Plain http is allowed only for a loopback issuer (local tests against oidc-provider).
 */
import type { OidcErrorCode } from "@streamline/contracts";
import * as oauth from "oauth4webapi";
import { isLoopbackHost, type OidcProvider } from "./providers.ts";

export class OidcRefusal extends Error {
  readonly code: OidcErrorCode;
  /** For the operator's log; never shown to the person. */
  readonly reason: string;
  constructor(code: OidcErrorCode, reason: string) {
    super(`${code}: ${reason}`);
    this.code = code;
    this.reason = reason;
  }
}

/** What one sign-in attempt must remember until its callback (sealed in a cookie). */
export interface AttemptSecrets {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface VerifiedIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

const DISCOVERY_TTL_MS = 3600_000;
const HTTP_TIMEOUT_MS = 10_000;
const SCOPE = "openid email profile";
const discovered = new Map<string, { as: oauth.AuthorizationServer; at: number }>();

function httpOptions(provider: OidcProvider) {
  const insecure = provider.issuer.protocol === "http:" && isLoopbackHost(provider.issuer.hostname);
  return { [oauth.allowInsecureRequests]: insecure, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) };
}

function client(provider: OidcProvider): oauth.Client {
  return { client_id: provider.clientId };
}

/** client_secret_basic unless the issuer lists only client_secret_post (the spec's default is basic). */
function clientAuth(as: oauth.AuthorizationServer, provider: OidcProvider): oauth.ClientAuth {
  const methods = as.token_endpoint_auth_methods_supported;
  return methods && !methods.includes("client_secret_basic") && methods.includes("client_secret_post")
    ? oauth.ClientSecretPost(provider.clientSecret)
    : oauth.ClientSecretBasic(provider.clientSecret);
}

/** The issuer's metadata (cached an hour per isolate); unreachable or invalid → `oidc_unavailable`. */
export async function discover(provider: OidcProvider, now = Date.now()): Promise<oauth.AuthorizationServer> {
  const key = provider.issuer.href;
  const hit = discovered.get(key);
  if (hit && now - hit.at < DISCOVERY_TTL_MS) return hit.as;
  try {
    const response = await oauth.discoveryRequest(provider.issuer, {
      algorithm: "oidc",
      ...httpOptions(provider),
    });
    const as = await oauth.processDiscoveryResponse(provider.issuer, response);
    discovered.set(key, { as, at: now });
    return as;
  } catch (err) {
    throw new OidcRefusal("oidc_unavailable", `discovery of ${key} failed: ${describe(err)}`);
  }
}

/** Where to send the browser, and the secrets its callback will be checked against. */
export async function authorizationUrl(
  provider: OidcProvider,
  redirectUri: string,
): Promise<{ url: URL; secrets: AttemptSecrets }> {
  const as = await discover(provider);
  if (!as.authorization_endpoint)
    throw new OidcRefusal("oidc_unavailable", "issuer has no authorization_endpoint");
  const secrets = {
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    codeVerifier: oauth.generateRandomCodeVerifier(),
  };
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: provider.clientId,
    redirect_uri: redirectUri,
    response_type: "code",
    scope: SCOPE,
    state: secrets.state,
    nonce: secrets.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(secrets.codeVerifier),
    code_challenge_method: "S256",
  }).toString();
  return { url, secrets };
}

/** The callback's parameters checked, its code exchanged, the ID token verified: who signed in. */
export async function verifyCallback(
  provider: OidcProvider,
  redirectUri: string,
  callbackUrl: URL,
  expected: AttemptSecrets,
): Promise<VerifiedIdentity> {
  const as = await discover(provider);
  if (callbackUrl.searchParams.get("state") !== expected.state) {
    throw new OidcRefusal("oidc_state", "state does not match this browser's attempt");
  }
  const params = checkedParams(as, provider, callbackUrl, expected.state);
  const claims = await redeem(as, provider, redirectUri, params, expected);
  return {
    subject: claims.sub,
    email: typeof claims.email === "string" ? claims.email : null,
    // Google sends a boolean; some issuers the string "true".
    emailVerified: claims.email_verified === true || claims.email_verified === "true",
    name: typeof claims.name === "string" && claims.name.trim() ? claims.name.trim() : null,
  };
}

function checkedParams(
  as: oauth.AuthorizationServer,
  provider: OidcProvider,
  callbackUrl: URL,
  state: string,
): URLSearchParams {
  try {
    return oauth.validateAuthResponse(as, client(provider), callbackUrl, state);
  } catch (err) {
    if (err instanceof oauth.AuthorizationResponseError) {
      const code = err.error === "access_denied" ? "oidc_denied" : "oidc_failed";
      throw new OidcRefusal(code, `issuer answered ${err.error}: ${err.error_description ?? ""}`);
    }
    throw new OidcRefusal("oidc_failed", `authorization response refused: ${describe(err)}`);
  }
}

async function redeem(
  as: oauth.AuthorizationServer,
  provider: OidcProvider,
  redirectUri: string,
  params: URLSearchParams,
  expected: AttemptSecrets,
): Promise<oauth.IDToken> {
  let response: Response;
  try {
    response = await oauth.authorizationCodeGrantRequest(
      as,
      client(provider),
      clientAuth(as, provider),
      params,
      redirectUri,
      expected.codeVerifier,
      httpOptions(provider),
    );
  } catch (err) {
    throw new OidcRefusal("oidc_unavailable", `token endpoint unreachable: ${describe(err)}`);
  }
  let claims: oauth.IDToken | undefined;
  try {
    const result = await oauth.processAuthorizationCodeResponse(as, client(provider), response, {
      expectedNonce: expected.nonce,
      requireIdToken: true,
    });
    // Claims are checked above; the signature is checked here, against the issuer's JWKS.
    await oauth.validateApplicationLevelSignature(as, response, httpOptions(provider));
    claims = oauth.getValidatedIdTokenClaims(result);
  } catch (err) {
    throw new OidcRefusal("oidc_failed", `token response refused: ${describe(err)}`);
  }
  if (!claims?.sub) throw new OidcRefusal("oidc_failed", "no ID token subject");
  return claims;
}

/** For the operator's log: the library's message (which claim failed), never claims or keys themselves. */
function describe(err: unknown): string {
  if (err instanceof oauth.ResponseBodyError) return `${err.error} ${err.error_description ?? ""}`.trim();
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
  return String(err).slice(0, 300);
}
