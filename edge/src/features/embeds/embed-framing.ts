/**
 * Decides who may frame `/embed/:id` before the page is forwarded to the site: the video's
 * settings become `c.var.frameAncestors`, which middleware/security-headers writes into the
 * page's CSP. A malformed id, an unknown, private or taken-down video and embedding turned
 * off all frame nowhere (`'none'`), like every other page.
 */
import { VIDEO_ID_PATTERN } from "@streamline/contracts";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";
import { frameAncestors } from "../videos/embed-policy.ts";
import { VideosRepo } from "../videos/videos.repo.ts";

export function embedFraming(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = /^\/embed\/([^/]+)\/?$/.exec(new URL(c.req.url).pathname)?.[1] ?? "";
    const row = VIDEO_ID_PATTERN.test(id) ? await new VideosRepo(c.var.services.db).find(id) : undefined;
    c.set("frameAncestors", frameAncestors(row ?? null));
    await next();
  };
}
