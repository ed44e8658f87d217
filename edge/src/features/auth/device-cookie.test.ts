import { describe, expect, it } from "vitest";
import { TEST_SECRETS } from "../../../test/secrets.ts";
import { DEVICE_COOKIE_MAX_AGE_SECONDS, deviceCookieFor, deviceCookieUser } from "./device-cookie.ts";

const secret = TEST_SECRETS.JWT_SECRET;
const user = "u_AAAAAAAAAAAAAAAA";
const now = 1_800_000_000_000;

describe("the known-device cookie", () => {
  it("names the user it was issued for, for a year", async () => {
    const value = await deviceCookieFor(secret, user, now);
    expect(value).toMatch(/^u_A{16}\.1800000000000\.[A-Za-z0-9_-]{43}$/);
    expect(await deviceCookieUser(secret, value, now)).toBe(user);
    expect(await deviceCookieUser(secret, value, now + DEVICE_COOKIE_MAX_AGE_SECONDS * 1000)).toBe(user);
    expect(await deviceCookieUser(secret, value, now + DEVICE_COOKIE_MAX_AGE_SECONDS * 1000 + 1)).toBeNull();
  });

  it("refuses another key, another user, a moved timestamp, a future one and garbage", async () => {
    const value = await deviceCookieFor(secret, user, now);
    const [, issued, mac] = value.split(".") as [string, string, string];
    expect(await deviceCookieUser("another-secret-0123456789abcdef0123", value, now)).toBeNull();
    expect(await deviceCookieUser(secret, `u_BBBBBBBBBBBBBBBB.${issued}.${mac}`, now)).toBeNull();
    expect(await deviceCookieUser(secret, `${user}.${Number(issued) - 1}.${mac}`, now)).toBeNull();
    const future = await deviceCookieFor(secret, user, now + 3600_000);
    expect(await deviceCookieUser(secret, future, now)).toBeNull();
    for (const junk of [undefined, "", "x", `${value}.x`, `${user}..${mac}`]) {
      expect(await deviceCookieUser(secret, junk, now)).toBeNull();
    }
  });
});
