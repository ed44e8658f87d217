/**
 * `npm run dev`: the whole platform on embedded defaults at http://127.0.0.1:8787.
 * Generates .dev.vars with fresh secrets on first start; data persists under .data/.
 * Ctrl-C stops everything it started.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDevVars, withFreshSecrets } from "./lib/dev-vars.ts";
import { edgeOverridesFrom } from "./lib/edge-env.ts";
import { buildSite, ROOT, startStack } from "./lib/stack.ts";

const DEV_VARS = join(ROOT, ".dev.vars");

/** Creates .dev.vars from the example, or replaces placeholder/weak secrets left in it. */
function ensureDevVars(): Record<string, string> {
  const current = readFileSync(existsSync(DEV_VARS) ? DEV_VARS : join(ROOT, ".dev.vars.example"), "utf8");
  const { text, replaced } = withFreshSecrets(current);
  if (!existsSync(DEV_VARS) || replaced.length > 0) {
    writeFileSync(DEV_VARS, text, { mode: 0o600 });
    console.log(`wrote fresh random ${replaced.join(", ")} into .dev.vars`);
  }
  return parseDevVars(text);
}

const vars = ensureDevVars();

if (!process.argv.includes("--no-build")) buildSite();
const port = Number(process.env.PORT ?? 8787);
const stack = await startStack({
  port,
  s3Port: Number(process.env.S3_PORT ?? 9000),
  transcoderPort: Number(process.env.TRANSCODER_PORT ?? 8790),
  dataDir: join(ROOT, ".data"),
  secrets: {
    JWT_SECRET: vars.JWT_SECRET!,
    DELIVERY_SECRET: vars.DELIVERY_SECRET!,
    TRANSCODER_SECRET: vars.TRANSCODER_SECRET!,
  },
  ...(process.env.REDIS_URL ? { transcoderEnv: { REDIS_URL: process.env.REDIS_URL } } : {}),
  // A local SMTP sink catches every mail (shown at /dev/mail); SMTP_URL in the environment wins.
  mailSink: {
    smtpPort: Number(process.env.MAIL_SINK_SMTP_PORT ?? 2525),
    httpPort: Number(process.env.MAIL_SINK_HTTP_PORT ?? 8025),
    directory: join(ROOT, ".data/mail"),
  },
  // Every edge variable set in this environment overrides wrangler.toml (README, Configuration).
  edgeOverrides: edgeOverridesFrom(process.env),
});
console.log(`\nStreamline is up: ${stack.origin}  (upload: ${stack.origin}/upload)  — Ctrl-C to stop\n`);

let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping…");
    await stack.stop();
    process.exit(0);
  });
}
