import { describe, expect, it } from "vitest";
import { clientInfo, rateLimitKey } from "./client-info.ts";

describe("rateLimitKey: what rate limits count by", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    [" 203.0.113.7 ", "203.0.113.7"],
    ["0.0.0.0", "0.0.0.0"],
  ])("IPv4 %o → %o", (ip, key) => expect(rateLimitKey(ip)).toBe(key));

  it.each([
    ["::1", "0:0:0:0::/64"],
    ["::", "0:0:0:0::/64"],
    ["2001:0db8:0000:0042:0000:8a2e:0370:7334", "2001:db8:0:42::/64"],
    ["2001:db8:0:42:0:8a2e:370:7334", "2001:db8:0:42::/64"],
    ["2001:DB8:0:42::1", "2001:db8:0:42::/64"],
    ["2001:db8::42:1", "2001:db8:0:0::/64"],
    ["2001:db8:0:42::", "2001:db8:0:42::/64"],
    ["fe80::1:2:3:4", "fe80:0:0:0::/64"],
    ["1:2:3:4:5:6:7::", "1:2:3:4::/64"],
    ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4::/64"],
  ])("IPv6 %o → its /64 %o", (ip, key) => expect(rateLimitKey(ip)).toBe(key));

  it("every address of one /64 shares a key; the next /64 does not", () => {
    const keys = new Set(
      ["2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:0db8:0001:0002:a:b:c:d"].map(
        rateLimitKey,
      ),
    );
    expect([...keys]).toEqual(["2001:db8:1:2::/64"]);
    expect(rateLimitKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
  });

  it.each([
    ["::ffff:198.51.100.9", "198.51.100.9"],
    ["::FFFF:198.51.100.9", "198.51.100.9"],
    ["0:0:0:0:0:ffff:198.51.100.9", "198.51.100.9"],
    ["::ffff:c633:6409", "198.51.100.9"],
  ])("IPv4-mapped %o → the IPv4 address %o", (ip, key) => expect(rateLimitKey(ip)).toBe(key));

  it.each([
    "",
    "unknown",
    "not an ip",
    "256.1.1.1",
    "1.2.3",
    "01.2.3.4",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    "12345::1",
    ":1::",
    "1:2:3:4:5:6:7",
    "::ffff:300.1.1.1",
    "fe80::1%eth0",
    "203.0.113.7, 10.0.0.1",
  ])("anything else (%o) is `unknown`", (ip) => expect(rateLimitKey(ip)).toBe("unknown"));

  it("clientInfo keeps the reported address and adds the key", () => {
    const req = new Request("http://x/", {
      headers: { "cf-connecting-ip": "2001:db8:0:42::7", "user-agent": "ua" },
    });
    expect(clientInfo(req)).toEqual({
      ip: "2001:db8:0:42::7",
      rateKey: "2001:db8:0:42::/64",
      userAgent: "ua",
    });
    expect(clientInfo(new Request("http://x/")).rateKey).toBe("unknown");
  });
});
