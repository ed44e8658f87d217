/**
 * `npm run dev`: the whole platform on embedded defaults at http://127.0.0.1:8787.
 * Generates .dev.vars with fresh secrets on first start; data persists under .data/.
 * Ctrl-C stops everything it started.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSite, ROOT, startStack } from "./lib/stack.ts";

const DEV_VARS = join(ROOT, ".dev.vars");

const PLACEHOLDER = /change-me-to-32-random-bytes-hex/g;

/** Creates .dev.vars from the example, or fills placeholders left in an existing one. */
function ensureDevVars(): Record<string, string> {
  const current = existsSync(DEV_VARS)
    ? readFileSync(DEV_VARS, "utf8")
    : readFileSync(join(ROOT, ".dev.vars.example"), "utf8");
  if (!existsSync(DEV_VARS) || PLACEHOLDER.test(current)) {
    writeFileSync(
      DEV_VARS,
      current.replace(PLACEHOLDER, () => randomBytes(32).toString("hex")),
      { mode: 0o600 },
    );
    console.log("wrote fresh random secrets into .dev.vars");
  }
  const vars: Record<string, string> = {};
  for (const line of readFileSync(DEV_VARS, "utf8").split("\n")) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (m) vars[m[1]!] = m[2]!.replace(/^"(.*)"$/, "$1");
  }
  return vars;
}

const vars = ensureDevVars();
for (const key of ["JWT_SECRET", "DELIVERY_SECRET", "TRANSCODER_SECRET"] as const) {
  if (!vars[key] || vars[key].length < 16) {
    console.error(
      `.dev.vars: ${key} is missing or shorter than 16 characters; delete .dev.vars to regenerate it`,
    );
    process.exit(1);
  }
}

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
