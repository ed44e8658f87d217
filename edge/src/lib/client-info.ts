/**
 * Who is calling, as far as the edge can tell: the client IP Cloudflare puts in
 * `CF-Connecting-IP` (set by the platform, not forgeable through Cloudflare; X-Forwarded-For
 * is never trusted) and the user agent, for rate-limit keys and the sessions list.
 */
export interface ClientInfo {
  ip: string;
  userAgent: string;
}

export function clientInfo(req: Request): ClientInfo {
  return {
    ip: (req.headers.get("cf-connecting-ip") ?? "").trim().slice(0, 64) || "unknown",
    userAgent: (req.headers.get("user-agent") ?? "").slice(0, 256),
  };
}
