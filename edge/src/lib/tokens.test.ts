import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { signPlaybackToken, verifyPlaybackToken } from "./tokens.ts";

const SECRET = "delivery-secret-for-tests-0123456789";

describe("playback tokens", () => {
  it("verify for their own video until they expire", async () => {
    const now = Date.UTC(2026, 0, 1);
    const { token, expiresAt } = await signPlaybackToken(SECRET, "v_aaaaaaaaaaaaaaaa", 600, now);
    expect(expiresAt.getTime()).toBe(now + 600_000);
    expect(await verifyPlaybackToken(SECRET, "v_aaaaaaaaaaaaaaaa", token, now + 599_000)).toEqual({
      ok: true,
      viewer: null,
      epoch: 0,
    });
    expect(await verifyPlaybackToken(SECRET, "v_aaaaaaaaaaaaaaaa", token, now + 601_000)).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("carry the viewer and the access epoch they were issued under", async () => {
    const { token } = await signPlaybackToken(SECRET, "v_aaaaaaaaaaaaaaaa", 600, Date.now(), {
      viewer: "u_owner",
      epoch: 3,
    });
    expect(await verifyPlaybackToken(SECRET, "v_aaaaaaaaaaaaaaaa", token)).toEqual({
      ok: true,
      viewer: "u_owner",
      epoch: 3,
    });
  });

  it("a token without an epoch claim (issued before epochs existed) is epoch 0", async () => {
    const legacy = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("v_aaaaaaaaaaaaaaaa")
      .setAudience("streamline:delivery")
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode(SECRET));
    expect(await verifyPlaybackToken(SECRET, "v_aaaaaaaaaaaaaaaa", legacy)).toEqual({
      ok: true,
      viewer: null,
      epoch: 0,
    });
  });

  it("are refused for another video, another key, or when tampered", async () => {
    const { token } = await signPlaybackToken(SECRET, "v_aaaaaaaaaaaaaaaa", 600);
    expect(await verifyPlaybackToken(SECRET, "v_bbbbbbbbbbbbbbbb", token)).toEqual({
      ok: false,
      reason: "wrong_video",
    });
    expect(await verifyPlaybackToken("another-secret-0123456789abcdef", "v_aaaaaaaaaaaaaaaa", token)).toEqual(
      { ok: false, reason: "invalid" },
    );
    const [h, p, s] = token.split(".");
    const forged = JSON.parse(atob(p!.replace(/-/g, "+").replace(/_/g, "/")));
    forged.sub = "v_bbbbbbbbbbbbbbbb";
    const p2 = btoa(JSON.stringify(forged)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    expect(await verifyPlaybackToken(SECRET, "v_bbbbbbbbbbbbbbbb", `${h}.${p2}.${s}`)).toEqual({
      ok: false,
      reason: "invalid",
    });
    const none = `${btoa(JSON.stringify({ alg: "none" })).replace(/=+$/, "")}.${p}.`;
    expect(await verifyPlaybackToken(SECRET, "v_aaaaaaaaaaaaaaaa", none)).toEqual({
      ok: false,
      reason: "invalid",
    });
  });
});
