/**
 * SSRF guard for webhook targets (ADR 0025). A target must be http(s), carry no
 * credentials, and every address its host resolves to must be public: no private,
 * loopback, link-local, CGNAT, multicast, documentation or cloud-metadata address
 * (169.254.169.254, fd00:ec2::254), IPv4-mapped and NAT64/6to4 forms included. It runs at
 * registration, before each delivery and on each redirect hop.
 *
 * A Worker has no DNS API and cannot pin the address `fetch()` connects to, so names are
 * resolved over DNS-over-HTTPS (the `resolve` dependency; production: Cloudflare's resolver)
 * and checked just before the request. What remains is a rebinding race between that lookup
 * and fetch's own (a TTL-0 name answering public, then private); Workers' fetch itself does
 * not reach RFC 1918 networks behind Cloudflare, which bounds that race to what the
 * Internet can see. `allowHosts` (WEBHOOK_ALLOW_HOSTS, development only) skips the address
 * check for named hosts so tests can target loopback.
 */

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

export interface TargetGuardOptions {
  /** Lower-case hostnames / IP literals exempt from the address check (development only). */
  allowHosts: readonly string[];
  /** A name's A and AAAA addresses; empty when it does not resolve. */
  resolve(hostname: string): Promise<string[]>;
}

type Cidr4 = [base: number, bits: number];

const ip4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/** IPv4 ranges that are not the public Internet (RFC 6890 and friends). */
const FORBIDDEN_V4: readonly Cidr4[] = [
  [ip4(0, 0, 0, 0), 8], // "this network"
  [ip4(10, 0, 0, 0), 8], // private
  [ip4(100, 64, 0, 0), 10], // CGNAT
  [ip4(127, 0, 0, 0), 8], // loopback
  [ip4(169, 254, 0, 0), 16], // link-local, cloud metadata
  [ip4(172, 16, 0, 0), 12], // private
  [ip4(192, 0, 0, 0), 24], // IETF protocol assignments
  [ip4(192, 0, 2, 0), 24], // documentation
  [ip4(192, 88, 99, 0), 24], // 6to4 relay anycast
  [ip4(192, 168, 0, 0), 16], // private
  [ip4(198, 18, 0, 0), 15], // benchmarking
  [ip4(198, 51, 100, 0), 24], // documentation
  [ip4(203, 0, 113, 0), 24], // documentation
  [ip4(224, 0, 0, 0), 4], // multicast
  [ip4(240, 0, 0, 0), 4], // reserved, broadcast
];

export function parseIPv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ip4(parts[0]!, parts[1]!, parts[2]!, parts[3]!);
}

/** Eight 16-bit groups, or null. Accepts `::` and a dotted IPv4 tail. */
export function parseIPv6(input: string): number[] | null {
  let s = input.toLowerCase().replace(/%.*$/, "");
  const v4tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (v4tail) {
    const v4 = parseIPv4(v4tail[1]!);
    if (v4 === null) return null;
    s = `${s.slice(0, -v4tail[1]!.length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parse = (h: string) => (h === "" ? [] : h.split(":"));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => Number.parseInt(g, 16));
}

function forbiddenV4(addr: number): boolean {
  return FORBIDDEN_V4.some(([base, bits]) => {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return (addr & mask) >>> 0 === base;
  });
}

const embeddedV4 = (hi: number, lo: number) => ((hi << 16) | lo) >>> 0;

function forbiddenV6(g: number[]): boolean {
  const [a, b] = [g[0]!, g[1]!];
  const zeroPrefix = (n: number) => g.slice(0, n).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped): the IPv4 address decides. ::/96 (::, ::1, deprecated compatible): refused.
  if (zeroPrefix(5) && g[5] === 0xffff) return forbiddenV4(embeddedV4(g[6]!, g[7]!));
  if (zeroPrefix(6)) return true;
  if (a === 0x64 && b === 0xff9b && g.slice(2, 6).every((x) => x === 0))
    return forbiddenV4(embeddedV4(g[6]!, g[7]!)); // NAT64
  if (a === 0x2002) return forbiddenV4(embeddedV4(b, g[2]!)); // 6to4
  if ((a & 0xe000) !== 0x2000) return true; // outside global unicast 2000::/3: ULA, link-local, multicast…
  if (a === 0x2001 && b < 0x200) return true; // 2001::/23 IETF assignments (Teredo, benchmarking, ORCHID)
  if (a === 0x2001 && b === 0xdb8) return true; // documentation
  return false;
}

/** Is this IP literal (v4 dotted quad or v6) anything but a public unicast address? */
export function isForbiddenAddress(address: string): boolean {
  const v4 = parseIPv4(address);
  if (v4 !== null) return forbiddenV4(v4);
  const v6 = parseIPv6(address.replace(/^\[|\]$/g, ""));
  return v6 === null ? true : forbiddenV6(v6);
}

const isIpLiteral = (host: string) => parseIPv4(host) !== null || host.startsWith("[");

/** The URL if it is a deliverable webhook target now, else why not. */
export async function checkTarget(raw: string | URL, options: TargetGuardOptions): Promise<TargetCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a valid URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return { ok: false, reason: "must be http or https" };
  if (url.username || url.password) return { ok: false, reason: "must not contain credentials" };
  // WHATWG URL already turned 2130706433, 0x7f.1 and 127.1 into 127.0.0.1.
  const host = url.hostname.toLowerCase();
  if (options.allowHosts.includes(host) || options.allowHosts.includes(host.replace(/^\[|\]$/g, "")))
    return { ok: true, url };
  if (isIpLiteral(host))
    return isForbiddenAddress(host)
      ? { ok: false, reason: "points at a non-public address" }
      : { ok: true, url };
  let addresses: string[];
  try {
    addresses = await options.resolve(host);
  } catch {
    return { ok: false, reason: "its host name could not be resolved" };
  }
  if (addresses.length === 0) return { ok: false, reason: "its host name does not resolve" };
  if (addresses.some(isForbiddenAddress)) return { ok: false, reason: "resolves to a non-public address" };
  return { ok: true, url };
}

interface DohAnswer {
  Status: number;
  Answer?: { type: number; data: string }[];
}

const DOH_URL = "https://cloudflare-dns.com/dns-query";

/** A and AAAA over DNS-over-HTTPS (JSON API). Throws when the resolver cannot be reached. */
export function dohResolver(fetcher: typeof fetch = fetch) {
  return async (hostname: string): Promise<string[]> => {
    const lookup = async (type: "A" | "AAAA", code: number) => {
      const url = `${DOH_URL}?name=${encodeURIComponent(hostname)}&type=${type}`;
      const res = await fetcher(url, {
        headers: { accept: "application/dns-json" },
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) throw new Error(`DNS-over-HTTPS answered ${res.status}`);
      const body = (await res.json()) as DohAnswer;
      return (body.Answer ?? []).filter((a) => a.type === code).map((a) => a.data);
    };
    const [a, aaaa] = await Promise.all([lookup("A", 1), lookup("AAAA", 28)]);
    return [...a, ...aaaa];
  };
}
