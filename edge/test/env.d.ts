import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      FLEET_URL: string;
      MAIL_SINK_URL: string;
      /** The issuer whose ID tokens are wrong on purpose (crafted-issuer.ts). */
      OIDC_CRAFTED_ISSUER: string;
      /** "Sign in with Google" pointed at the loopback oidc-provider (vitest.config.ts). */
      OIDC_GOOGLE_ISSUER: string;
      OIDC_GOOGLE_CLIENT_ID: string;
      OIDC_GOOGLE_CLIENT_SECRET: string;
    }
  }
}
