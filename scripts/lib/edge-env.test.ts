/** Configuration from the environment: which variables `npm run dev` passes to the edge, and how. */
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS } from "../../edge/src/config.ts";
import { edgeOverridesFrom, envFileText } from "./edge-env.ts";

describe("edge variables from the environment", () => {
  it("passes every variable the edge config knows, and nothing else", () => {
    const picked = edgeOverridesFrom({
      S3_ENDPOINT: "http://minio.local:9000",
      SMTP_URL: "smtp://u:p@mail.example.com:587",
      OIDC_UNRELATED_TO_EDGE: "x",
      HOME: "/root",
      PATH: "/usr/bin",
      REQUIRE_EMAIL_VERIFICATION: "true",
      MAIL_FROM: "",
    });
    expect(picked).toEqual({
      S3_ENDPOINT: "http://minio.local:9000",
      SMTP_URL: "smtp://u:p@mail.example.com:587",
      REQUIRE_EMAIL_VERIFICATION: "true",
      MAIL_FROM: "",
    });
  });

  it("knows the schema's keys, including the ones this issue added", () => {
    for (const key of [
      "S3_ENDPOINT",
      "TRANSCODER_URL",
      "JWT_SECRET",
      "SMTP_URL",
      "MAIL_FROM",
      "REQUIRE_EMAIL_VERIFICATION",
    ]) {
      expect(CONFIG_KEYS).toContain(key);
    }
  });

  it("writes one KEY=value per line and refuses a value with a line break (it would smuggle a variable)", () => {
    expect(envFileText({ A: "1", SMTP_URL: "smtp://u:p=q@h:25" })).toBe("A=1\nSMTP_URL=smtp://u:p=q@h:25\n");
    expect(() => envFileText({ MAIL_FROM: "a@b.c\nJWT_SECRET=known" })).toThrow(
      /MAIL_FROM contains a line break/,
    );
  });
});
