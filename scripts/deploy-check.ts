/**
 * `npm run deploy:check` — everything a deploy needs that can be checked without an
 * account, in one command (README "Deploy to Cloudflare"):
 *   1. every configuration variable the loaders read (the edge's `CONFIG_KEYS`, the
 *      transcoder's `ConfigSchema`) has a row in the README's configuration tables;
 *   2. the compose file is valid with every profile (`docker-compose config -q`, or
 *      `docker compose`), without a Docker engine;
 *   3. the deploy guide creates every queue and DLQ wrangler.toml names and every rate-limit
 *      binding has a row; the R2 CORS file the guide applies allows the presigned PUTs;
 *   4. `wrangler deploy --dry-run` builds the edge Worker and the site Worker (which checks
 *      wrangler.toml and the site's generated config, bindings included), and the optional
 *      Cloudflare Containers fleet Worker (deploy/containers; its image is not built).
 * Exits 1 with every problem listed. `--skip-build` runs 1–3 only (the tests do; the e2e
 * deploy test runs the dry-run builds).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIG_KEYS } from "../edge/src/config.ts";
import { ConfigSchema as TranscoderConfigSchema } from "../transcoder/src/config.ts";
import { buildSite, ROOT, SITE_CONFIG, wranglerBin } from "./lib/stack.ts";

/** Variables a loader reads that no README table row names (a row names it in backticks). */
export function undocumentedVariables(readme: string): string[] {
  const rows = readme.split("\n").filter((line) => line.startsWith("|"));
  const documented = new Set(
    rows.flatMap((row) => [...row.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1])),
  );
  const loaders = [
    ["edge", CONFIG_KEYS],
    ["transcoder", Object.keys(TranscoderConfigSchema.shape)],
  ] as const;
  return loaders.flatMap(([where, keys]) =>
    keys.filter((key) => !documented.has(key)).map((key) => `${where}: ${key}`),
  );
}

/** The R2 CORS rules `wrangler r2 bucket cors set` applies (README "Deploy to Cloudflare"). */
export const R2_CORS_FILE = join(ROOT, "deploy", "r2-cors.json");

/**
 * What the deploy guide must cover of wrangler.toml: a `wrangler queues create <name>` for
 * every queue (producers, consumers, dead-letter queues) and a backticked row for every
 * `[[ratelimits]]` binding; and the CORS file must let browsers PUT parts and read ETag.
 */
export function deployGuideProblems(readme: string, wranglerToml: string, corsJson: string): string[] {
  const problems: string[] = [];
  const queues = new Set(
    [...wranglerToml.matchAll(/^\s*(?:queue|dead_letter_queue)\s*=\s*"([^"]+)"/gm)].map((m) => m[1]!),
  );
  for (const q of queues) {
    if (!new RegExp(`wrangler queues create ${q}(?![\\w-])`).test(readme))
      problems.push(`README deploy guide never creates queue ${q} (wrangler queues create ${q})`);
  }
  for (const m of wranglerToml.matchAll(/^name\s*=\s*"(RL_[A-Z_]+)"/gm)) {
    if (!readme.includes(`\`${m[1]}\``)) problems.push(`README has no row for the rate limit ${m[1]}`);
  }
  problems.push(...corsProblems(corsJson));
  return problems;
}

function corsProblems(corsJson: string): string[] {
  let rules: { allowed?: { methods?: string[]; origins?: string[] }; exposeHeaders?: string[] }[];
  try {
    rules = (JSON.parse(corsJson) as { rules: typeof rules }).rules;
  } catch (err) {
    return [`deploy/r2-cors.json is not JSON: ${String(err)}`];
  }
  const ok = rules?.some(
    (r) => r.allowed?.methods?.includes("PUT") && r.exposeHeaders?.some((h) => h.toLowerCase() === "etag"),
  );
  return ok
    ? []
    : ["deploy/r2-cors.json has no rule allowing PUT that exposes ETag (presigned part uploads)"];
}

/** The compose CLI on this machine: v1 `docker-compose` or the v2 plugin, or null. */
export function composeCommand(): string[] | null {
  for (const cmd of [["docker-compose"], ["docker", "compose"]]) {
    const probe = spawnSync(cmd[0]!, [...cmd.slice(1), "version"], { stdio: "ignore" });
    if (probe.status === 0) return cmd;
  }
  return null;
}

/** `config -q` on docker-compose.yml with every profile; null when valid, else the error. */
export function composeProblem(cmd: string[]): string | null {
  const res = spawnSync(
    cmd[0]!,
    [...cmd.slice(1), "-f", join(ROOT, "docker-compose.yml"), "--profile", "observability", "config", "-q"],
    // The file refuses to start without the edge's shared secret; any value validates.
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, TRANSCODER_SECRET: "deploy-check-placeholder" } },
  );
  return res.status === 0 ? null : `docker-compose.yml: ${(res.stderr || res.stdout).trim()}`;
}

function dryRun(args: string[]): string | null {
  const res = spawnSync(process.execPath, [wranglerBin(), "deploy", "--dry-run", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: {
      ...process.env,
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_SEND_METRICS: "false",
      NO_COLOR: "1",
    },
  });
  return res.status === 0 ? null : `wrangler deploy --dry-run ${args.join(" ")}:\n${res.stdout}${res.stderr}`;
}

function main(argv: string[]): number {
  const problems: string[] = [];
  const say = (line: string) => process.stdout.write(`deploy:check: ${line}\n`);

  const missing = undocumentedVariables(readFileSync(join(ROOT, "README.md"), "utf8"));
  for (const m of missing) problems.push(`README has no configuration row for ${m}`);
  say(
    missing.length
      ? `${missing.length} undocumented variable(s)`
      : "configuration tables cover every variable",
  );

  const guide = deployGuideProblems(
    readFileSync(join(ROOT, "README.md"), "utf8"),
    readFileSync(join(ROOT, "wrangler.toml"), "utf8"),
    readFileSync(R2_CORS_FILE, "utf8"),
  );
  problems.push(...guide);
  if (!guide.length) say("the deploy guide creates every queue; rate limits and R2 CORS are covered");

  const compose = composeCommand();
  if (!compose) {
    const msg = "no docker-compose / docker compose on PATH: compose file not validated";
    if (process.env.CI) problems.push(msg);
    else say(`warning: ${msg}`);
  } else {
    const problem = composeProblem(compose);
    if (problem) problems.push(problem);
    else say("docker-compose.yml is valid (all profiles)");
  }

  if (!argv.includes("--skip-build")) {
    const edge = dryRun(["--outdir", mkdtempSync(join(tmpdir(), "check-edge-"))]);
    if (edge) problems.push(edge);
    buildSite((line) => say(line));
    const site = dryRun(["-c", SITE_CONFIG, "--outdir", mkdtempSync(join(tmpdir(), "check-site-"))]);
    if (site) problems.push(site);
    // The image needs a Docker engine; the Worker and its containers config are checked.
    const fleet = dryRun([
      "-c",
      join(ROOT, "deploy", "containers", "wrangler.jsonc"),
      "--containers-rollout=none",
      "--outdir",
      mkdtempSync(join(tmpdir(), "check-fleet-")),
    ]);
    if (fleet) problems.push(fleet);
    if (!edge && !site && !fleet) say("the edge, site and containers fleet Workers build for deployment");
  }

  for (const p of problems) process.stderr.write(`deploy:check: ✗ ${p}\n`);
  say(problems.length ? `${problems.length} problem(s)` : "ok");
  return problems.length ? 1 : 0;
}

if (import.meta.main) process.exit(main(process.argv.slice(2)));
