/**
 * The client the edge tests' OpenID issuers know the test Worker as (oidc-setup.ts), and the
 * Worker's bindings for it (vitest.config.ts). Test values only.
 */

/** The test Worker's origin (test/http.ts `ORIGIN`): the callback must be registered exactly. */
const TEST_ORIGIN = "http://127.0.0.1:8787";

export const OIDC_TEST_CLIENT = {
  clientId: "streamline-edge-test",
  clientSecret: "oidc-test-client-secret-0123456789abcdef",
  redirectUris: [`${TEST_ORIGIN}/api/auth/oidc/google/callback`],
};
