import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config.ts";
import { configuredProvider, configuredProviders, isLoopbackHost } from "./providers.ts";

const base = {
  OIDC_GOOGLE_ISSUER: "https://accounts.google.com",
  OIDC_GOOGLE_CLIENT_ID: undefined as string | undefined,
  OIDC_GOOGLE_CLIENT_SECRET: undefined as string | undefined,
};

describe("OpenID providers from config", () => {
  it("offers Google only when both the client id and the secret are set", () => {
    expect(configuredProviders(base)).toEqual([]);
    expect(configuredProviders({ ...base, OIDC_GOOGLE_CLIENT_ID: "id" })).toEqual([]);
    const both = { ...base, OIDC_GOOGLE_CLIENT_ID: "id", OIDC_GOOGLE_CLIENT_SECRET: "secret" };
    expect(configuredProviders(both)).toEqual([{ id: "google", name: "Google" }]);
    expect(configuredProvider(both, "google")?.issuer.href).toBe("https://accounts.google.com/");
  });

  it("the config loader defaults the issuer to Google's and treats empty values as unset", () => {
    const env = {
      S3_ENDPOINT: "http://127.0.0.1:9000",
      S3_BUCKET: "b",
      S3_REGION: "r",
      S3_ACCESS_KEY_ID: "k",
      S3_SECRET_ACCESS_KEY: "s",
      TRANSCODER_URL: "http://127.0.0.1:8790",
      JWT_SECRET: "providers-test-jwt-secret-0123456789abcdef",
      DELIVERY_SECRET: "providers-test-delivery-secret-0123456789",
      TRANSCODER_SECRET: "providers-test-transcoder-secret-0123456",
      OIDC_GOOGLE_ISSUER: "",
      OIDC_GOOGLE_CLIENT_ID: " ",
    };
    const config = loadConfig(env);
    expect(config.OIDC_GOOGLE_ISSUER).toBe("https://accounts.google.com");
    expect(config.OIDC_GOOGLE_CLIENT_ID).toBeUndefined();
    expect(() => loadConfig({ ...env, OIDC_GOOGLE_ISSUER: "not a url" })).toThrow(/OIDC_GOOGLE_ISSUER/);
  });

  it("only loopback hosts may serve an http issuer", () => {
    for (const host of ["127.0.0.1", "127.8.9.10", "localhost", "[::1]", "::1"])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [
      "10.0.0.1",
      "127.0.0.1.evil.example",
      "localhost.evil.example",
      "accounts.google.com",
      "0.0.0.0",
    ])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});
