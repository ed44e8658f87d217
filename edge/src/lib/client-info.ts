/**
 * Who is calling, as far as the edge can tell: the client IP Cloudflare puts in
 * `CF-Connecting-IP` (set by the platform, not forgeable through Cloudflare; X-Forwarded-For
 * is never trusted) and the user agent, for rate-limit keys and the sessions list.
 *
 * Rate limits key on `rateKey`, not on the address: an IPv6 client is its /64, because one
 * subscriber, VM or phone is routinely handed a whole /64 and can rotate through 2^64
 * addresses of it at will (RFC 6177, and what every large provider assigns). IPv4 and
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`) key on the IPv4 address itself.
 */
export interface ClientInfo {
  /** The address as Cloudflare reported it (shown in the sessions list). */
  ip: string;
  /** What rate limits count by: IPv4 address, or an IPv6 /64 as `a:b:c:d::/64`; `unknown` if unparseable. */
  rateKey: string;
  userAgent: string;
}

export function clientInfo(req: Request): ClientInfo {
  const ip = (req.headers.get("cf-connecting-ip") ?? "").trim().slice(0, 64) || "unknown";
  return { ip, rateKey: rateLimitKey(ip), userAgent: (req.headers.get("user-agent") ?? "").slice(0, 256) };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEXTET = /^[0-9a-f]{1,4}$/;

/** The rate-limit key of an address: IPv4 as is, IPv6 as its /64, anything else `unknown`. */
export function rateLimitKey(address: string): string {
  const ip = address.trim().toLowerCase();
  if (IPV4.test(ip)) return ip;
  const hextets = ipv6Hextets(ip);
  if (!hextets) return "unknown";
  // ::ffff:a.b.c.d (and its hex spelling ::ffff:0102:0304) is an IPv4 client.
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) {
    const [hi, lo] = [hextets[6]!, hextets[7]!];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return `${hextets
    .slice(0, 4)
    .map((h) => h.toString(16))
    .join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (full, `::`-compressed, or with a dotted IPv4 tail), or null. */
function ipv6Hextets(ip: string): number[] | null {
  if (!ip.includes(":")) return null;
  let text = ip;
  const tail: number[] = [];
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    if (!IPV4.test(dotted[1]!)) return null;
    const [a, b, c, d] = dotted[1]!.split(".").map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    text = `${text.slice(0, dotted.index)}:`;
    if (text.endsWith(":::")) return null;
    if (!text.endsWith("::")) text = text.slice(0, -1);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === "" ? [] : part.split(":"));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (![...head, ...rest].every((h) => HEXTET.test(h))) return null;
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null;
  const zeros = Array<number>(8 - explicit).fill(0);
  const groups = [...head, ...(halves.length === 2 ? zeros.map(String) : []), ...rest].map((h) =>
    Number.parseInt(h, 16),
  );
  return [...groups, ...tail];
}
