/**
 * `npm run deploy:check`'s own checks: the configuration tables against the loaders (on the
 * real README, and on one with a row taken out), and the compose file with every profile.
 * (The dry-run builds are e2e/deploy.test.ts.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { composeCommand, composeProblem, undocumentedVariables } from "./deploy-check.ts";
import { ROOT } from "./lib/stack.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");

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
