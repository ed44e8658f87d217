/**
 * The Worker's bindings as server-rendered pages read them (`import { env } from
 * "cloudflare:workers"`, which the Cloudflare adapter provides at runtime). Only what pages
 * use is typed: `API`, the edge Worker's service binding (site/wrangler.jsonc).
 */
declare module "cloudflare:workers" {
  export const env: {
    API?: { fetch(request: Request): Promise<Response> };
  };
}
