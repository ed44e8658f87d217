import { describe, expect, it } from "vitest";
import { checkTarget, isForbiddenAddress, parseIPv6 } from "./target-guard.ts";

const noDns = { allowHosts: [], resolve: async () => [] as string[] };
const dns = (table: Record<string, string[]>) => ({
  allowHosts: [] as string[],
  resolve: async (host: string) => table[host] ?? [],
});

describe("isForbiddenAddress", () => {
  it.each([
    "127.0.0.1",
    "127.8.8.8",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.254",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "::1",
    "::",
    "[::1]",
    "fd00:ec2::254",
    "fc00::1",
    "fe80::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",
    "2002:a9fe:a9fe::1",
    "2001:db8::1",
    "2001::1",
    "not-an-ip",
  ])("%s is refused", (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each([
    "93.184.215.14",
    "1.1.1.1",
    "172.32.0.1",
    "100.128.0.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
  ])("%s is public", (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });

  it("parses IPv6 forms", () => {
    expect(parseIPv6("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("fd00:ec2::254")).toEqual([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254]);
    expect(parseIPv6("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(parseIPv6("1::2::3")).toBeNull();
    expect(parseIPv6("1:2:3:4:5:6:7:8:9")).toBeNull();
  });
});

describe("checkTarget", () => {
  it.each([
    ["http://127.0.0.1:8080/hook", "non-public"],
    ["http://2130706433/hook", "non-public"], // 127.0.0.1 as one number
    ["http://0x7f.1/hook", "non-public"],
    ["http://169.254.169.254/latest/meta-data", "non-public"],
    ["http://[fd00:ec2::254]/", "non-public"],
    ["http://[::ffff:10.0.0.1]/", "non-public"],
    ["http://100.64.1.1/", "non-public"],
    ["ftp://example.com/", "http or https"],
    ["file:///etc/passwd", "http or https"],
    ["https://user:pw@example.com/", "credentials"],
    ["https://localhost/", "does not resolve"],
  ])("refuses %s", async (url, reason) => {
    const check = await checkTarget(url, noDns);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toContain(reason);
  });

  it("refuses a name when ANY of its addresses is private (after DNS)", async () => {
    const guard = dns({ "rebind.example": ["93.184.215.14", "10.0.0.5"], "ok.example": ["93.184.215.14"] });
    expect((await checkTarget("https://rebind.example/x", guard)).ok).toBe(false);
    expect((await checkTarget("https://ok.example/x", guard)).ok).toBe(true);
  });

  it("refuses when the resolver fails", async () => {
    const guard = {
      allowHosts: [],
      resolve: async () => {
        throw new Error("offline");
      },
    };
    const check = await checkTarget("https://example.com/", guard);
    expect(check).toEqual({ ok: false, reason: "its host name could not be resolved" });
  });

  it("accepts public literals without DNS, and allow-listed hosts (development) without the address check", async () => {
    expect((await checkTarget("https://93.184.215.14/hook", noDns)).ok).toBe(true);
    const dev = { allowHosts: ["127.0.0.1", "localhost"], resolve: noDns.resolve };
    expect((await checkTarget("http://127.0.0.1:9999/hook", dev)).ok).toBe(true);
    expect((await checkTarget("http://localhost:9999/hook", dev)).ok).toBe(true);
    // The allow-list names hosts, not ranges.
    expect((await checkTarget("http://127.0.0.2/hook", dev)).ok).toBe(false);
    expect((await checkTarget("ftp://127.0.0.1/", dev)).ok).toBe(false);
  });
});
