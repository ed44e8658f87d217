/**
 * The OpenID providers this deployment offers, from config: a provider exists for sign-in
 * only when its client id and secret are both set (the issuer has a default). Lookup tables
 * keyed by provider id, so a second provider is one entry more.
 */
import type { OidcProviderDto, OidcProviderId } from "@streamline/contracts";
import type { Config } from "../../config.ts";

export interface OidcProvider {
  id: OidcProviderId;
  /** What the site shows: "Sign in with {name}". */
  name: string;
  issuer: URL;
  clientId: string;
  clientSecret: string;
}

type OidcConfig = Pick<Config, "OIDC_GOOGLE_ISSUER" | "OIDC_GOOGLE_CLIENT_ID" | "OIDC_GOOGLE_CLIENT_SECRET">;

const NAMES: Record<OidcProviderId, string> = { google: "Google" };

const FROM_CONFIG: Record<OidcProviderId, (config: OidcConfig) => OidcProvider | null> = {
  google: (config) =>
    config.OIDC_GOOGLE_CLIENT_ID && config.OIDC_GOOGLE_CLIENT_SECRET
      ? {
          id: "google",
          name: NAMES.google,
          issuer: new URL(config.OIDC_GOOGLE_ISSUER),
          clientId: config.OIDC_GOOGLE_CLIENT_ID,
          clientSecret: config.OIDC_GOOGLE_CLIENT_SECRET,
        }
      : null,
};

export function providerName(id: OidcProviderId): string {
  return NAMES[id];
}

/** The provider when configured, else null. */
export function configuredProvider(config: OidcConfig, id: OidcProviderId): OidcProvider | null {
  return FROM_CONFIG[id](config);
}

export function configuredProviders(config: OidcConfig): OidcProviderDto[] {
  return (Object.keys(FROM_CONFIG) as OidcProviderId[])
    .map((id) => configuredProvider(config, id))
    .filter((p): p is OidcProvider => p !== null)
    .map((p) => ({ id: p.id, name: p.name }));
}

/** 127.0.0.0/8, ::1 and localhost: the only hosts whose issuer may speak plain http (ADR 0012). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}
