/**
 * Node-side setup for the edge (workerd) tests of OpenID sign-in: a real OpenID Provider
 * (oidc-provider with its development login and consent pages, scripts/lib/oidc-provider.ts)
 * with the test Worker registered as a client, and the crafted issuer (crafted-issuer.ts)
 * whose ID tokens are wrong on purpose. The Worker's OIDC_GOOGLE_* bindings point at the
 * real provider (vitest.config.ts); tests of token checks call the app with an env that
 * points at the crafted one.
 */
import type { TestProject } from "vitest/node";
import { startOidcProvider } from "../../scripts/lib/oidc-provider.ts";
import { startCraftedIssuer } from "./crafted-issuer.ts";
import { OIDC_TEST_CLIENT } from "./oidc-test-client.ts";

declare module "vitest" {
  export interface ProvidedContext {
    oidcIssuer: string;
    oidcCraftedIssuer: string;
  }
}

export default async function setup(project: TestProject) {
  const [provider, crafted] = await Promise.all([
    startOidcProvider({ clients: [OIDC_TEST_CLIENT] }),
    startCraftedIssuer(OIDC_TEST_CLIENT),
  ]);
  project.provide("oidcIssuer", provider.issuer);
  project.provide("oidcCraftedIssuer", crafted.issuer);
  return async () => {
    await Promise.all([provider.close(), crafted.close()]);
  };
}
