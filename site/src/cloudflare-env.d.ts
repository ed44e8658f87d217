/**
 * The Worker's bindings as server-rendered pages read them (`import { env } from
 * "cloudflare:workers"`, which the Cloudflare adapter provides at runtime). Only what pages
 * use is typed: `API`, the edge Worker's service binding (site/wrangler.jsonc), and
 * `HOME_PAGE_SIZE` (cards per page on home; default 24).
 */
declare module "cloudflare:workers" {
  export const env: {
    API?: { fetch(request: Request): Promise<Response> };
    HOME_PAGE_SIZE?: string;
  };
}
