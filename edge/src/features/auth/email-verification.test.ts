/** REQUIRE_EMAIL_VERIFICATION both ways: upload creation, poster and caption uploads. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ORIGIN, signUp, type TestUser } from "../../../test/auth.ts";
import { app } from "../../app.ts";

function request(user: TestUser, path: string, init: RequestInit, require: "true" | "false" | undefined) {
  const headers = new Headers(init.headers);
  headers.set("authorization", user.auth.authorization!);
  return app.fetch(new Request(`${ORIGIN}${path}`, { ...init, headers }), {
    ...env,
    ...(require === undefined ? {} : { REQUIRE_EMAIL_VERIFICATION: require }),
  });
}

const createUpload = (user: TestUser, require: "true" | "false" | undefined) =>
  request(
    user,
    "/api/uploads",
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ filename: "a.mp4", size: 1024, contentType: "video/mp4" }),
    },
    require,
  );

describe("REQUIRE_EMAIL_VERIFICATION", () => {
  it("off (the default): an unverified account uploads", async () => {
    const user = await signUp();
    expect((await createUpload(user, undefined)).status).toBe(201);
    expect((await createUpload(user, "false")).status).toBe(201);
  });

  it("on: an unverified account gets 403 email_unverified on uploads, posters and captions; verified → allowed", async () => {
    const user = await signUp();
    const refused = await createUpload(user, "true");
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("email_unverified");
    expect(body.error.message).toMatch(/resend/);

    const poster = await request(
      user,
      "/api/videos/v_aaaaaaaaaaaaaaaa/poster",
      { method: "PUT", headers: { "content-type": "image/png" }, body: new Uint8Array(8) },
      "true",
    );
    expect(poster.status).toBe(403);
    const caption = await request(
      user,
      "/api/videos/v_aaaaaaaaaaaaaaaa/captions/en",
      { method: "PUT", headers: { "content-type": "text/vtt" }, body: "WEBVTT\n" },
      "true",
    );
    expect(caption.status).toBe(403);

    await env.DB.prepare("update users set email_verified_at = ? where id = ?")
      .bind(Date.now(), user.id)
      .run();
    expect((await createUpload(user, "true")).status).toBe(201);
  });
});
