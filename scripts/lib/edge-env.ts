/**
 * Configuration from the environment: every edge variable (the keys of the edge's config
 * schema, `edge/src/config.ts`) present in `npm run dev`'s own environment overrides
 * wrangler.toml and the stack's defaults, as `--var` would — so one command points the
 * local platform at another S3, SMTP server or OpenID issuer:
 *   SMTP_URL=smtp://u:p@mail.example.com:587 npm run dev
 * They reach wrangler through the same 0600 env file as the secrets, never argv.
 */
import { CONFIG_KEYS } from "../../edge/src/config.ts";

export function edgeOverridesFrom(environment: NodeJS.ProcessEnv, keys: readonly string[] = CONFIG_KEYS) {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = environment[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** One `KEY=value` line per variable; a line break inside a value would start another variable. */
export function envFileText(vars: Record<string, string>): string {
  return `${Object.entries(vars)
    .map(([k, v]) => {
      if (/[\r\n]/.test(v)) throw new Error(`${k} contains a line break; it cannot be passed to wrangler`);
      return `${k}=${v}`;
    })
    .join("\n")}\n`;
}
