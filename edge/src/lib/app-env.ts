/** Hono context typing shared by every route module. */
import type { Services } from "./services.ts";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    services: Services;
    /** The request's correlation id (middleware/request-id, ADR 0028). */
    requestId: string;
    /** Set by the auth middleware (middleware/auth); null = anonymous. */
    userId?: string | null;
    /** The session behind the caller's access token (middleware/auth); null = anonymous. */
    sessionId?: string | null;
    /** Set when the caller authenticated with an API key (features/api-keys, ADR 0025). */
    apiKeyId?: string | null;
    /** Nonce of the page's inline script, allowed by its CSP (set by /docs only). */
    cspNonce?: string;
    /** `frame-ancestors` sources of an embed page (features/embeds); every other page: 'none'. */
    frameAncestors?: string;
  };
}
