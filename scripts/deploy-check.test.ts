/**
 * `npm run deploy:check`'s own checks: the configuration tables against the loaders (on the
 * real README, and on one with a row taken out), and the compose file with every profile.
 * (The dry-run builds are e2e/deploy.test.ts.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  composeCommand,
  composeProblem,
  deployGuideProblems,
  R2_CORS_FILE,
  undocumentedVariables,
} from "./deploy-check.ts";
import { ROOT } from "./lib/stack.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const wranglerToml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
const cors = readFileSync(R2_CORS_FILE, "utf8");

describe("the deploy guide", () => {
  it("creates every queue wrangler.toml names, has a row per rate limit, and its CORS file allows the PUTs", () => {
    expect(deployGuideProblems(readme, wranglerToml, cors)).toEqual([]);
  });

  it("reports a queue it never creates, a rate limit without a row, and CORS without ETag", () => {
    const toml = `${wranglerToml}\n[[queues.consumers]]\nqueue = "streamline-extra"\ndead_letter_queue = "streamline-extra-dlq"\n[[ratelimits]]\nname = "RL_NOT_DOCUMENTED"\n`;
    const noEtag = JSON.stringify({
      rules: [{ allowed: { origins: ["*"], methods: ["PUT"] }, exposeHeaders: [] }],
    });
    const withoutJobsDlq = readme.replace("npx wrangler queues create streamline-jobs-dlq", "");
    const before = new Set(deployGuideProblems(readme, wranglerToml, cors));
    const added = deployGuideProblems(withoutJobsDlq, toml, noEtag).filter((p) => !before.has(p));
    expect(added).toEqual([
      "README deploy guide never creates queue streamline-jobs-dlq (wrangler queues create streamline-jobs-dlq)",
      "README deploy guide never creates queue streamline-extra (wrangler queues create streamline-extra)",
      "README deploy guide never creates queue streamline-extra-dlq (wrangler queues create streamline-extra-dlq)",
      "README has no row for the rate limit RL_NOT_DOCUMENTED",
      "deploy/r2-cors.json has no rule allowing PUT that exposes ETag (presigned part uploads)",
    ]);
  });
});

describe("configuration tables", () => {
  it("the README documents every variable the edge and transcoder loaders read", () => {
    expect(undocumentedVariables(readme)).toEqual([]);
  });

  it("a variable whose row is missing is reported, with its loader", () => {
    const without = readme
      .split("\n")
      .filter(
        (line) =>
          !line.startsWith("| `SHUTDOWN_GRACE_MS`") && !line.startsWith("| `LOGIN_MAX_DELAY_SECONDS`"),
      )
      .join("\n");
    const before = new Set(undocumentedVariables(readme));
    const added = undocumentedVariables(without).filter((v) => !before.has(v));
    expect(added).toEqual(["edge: LOGIN_MAX_DELAY_SECONDS", "transcoder: SHUTDOWN_GRACE_MS"]);
  });
});

const compose = composeCommand();
// CI installs docker-compose (.ci/run); without it locally the check is skipped, never under CI.
describe.skipIf(!compose && !process.env.CI)("docker-compose.yml", () => {
  it("is valid with every profile (docker-compose config -q, no engine needed)", () => {
    expect(compose, "docker-compose is not installed").not.toBeNull();
    expect(composeProblem(compose!)).toBeNull();
  });
});
