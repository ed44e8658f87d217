/** Hono context typing shared by every route module. */
import type { Services } from "./lib/services.ts";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    services: Services;
    /** Set by the auth middleware once accounts exist; null = anonymous. */
    userId?: string | null;
  };
}
