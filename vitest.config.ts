/**
 * One config, the test projects and their tiers:
 * - fast (`npm run test:unit`): edge (inside workerd via @cloudflare/vitest-plugin, with
 *   embedded S3), site (browser-side logic in Node), contracts, transcoder-unit (the pure
 *   transcoder tests) and scripts (the tooling's own tests);
 * - slow: transcoder (real ffmpeg/S3/Redis) and e2e (the whole stack + Chromium).
 * `npm test` runs them all.
 */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { OIDC_TEST_CLIENT } from "./edge/test/oidc-test-client.ts";
import { TEST_SECRETS } from "./edge/test/secrets.ts";

/**
 * Transcoder tests that encode with real ffmpeg, probe generated media or need a Redis
 * server: the slow tier. Every other transcoder test is pure and runs in `transcoder-unit`
 * (part of `npm run test:unit`); a new test that encodes belongs on this list.
 */
const TRANSCODER_INTEGRATION = [
  "transcoder/src/ffmpeg/input-policy.test.ts",
  "transcoder/src/ffmpeg/mov-dref.test.ts",
  "transcoder/src/ffmpeg/probe.test.ts",
  "transcoder/src/ffmpeg/ssrf.test.ts",
  "transcoder/src/fleet/claims.test.ts",
  "transcoder/src/fleet/fleet-faults.test.ts",
  "transcoder/src/fleet/fleet.test.ts",
  "transcoder/src/handle-channel-image-job.test.ts",
  "transcoder/src/handle-download-job.test.ts",
  "transcoder/src/handle-job.test.ts",
  "transcoder/src/handle-poster-job.test.ts",
  "transcoder/src/hls-playback.test.ts",
  "transcoder/src/main.test.ts",
];

/**
 * The fast tiers' time limits. vitest's default 5 s is a speed assertion in disguise: with
 * `npm test`'s two lanes the unit files share 2 cores with whole e2e stacks, and a workerd
 * test that takes 1 s alone took 5–8 s there. Speed is measured by the benches, not here.
 */
const UNIT_TIMEOUTS = { testTimeout: 30_000, hookTimeout: 60_000 };

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    test: {
      // `npm test` (scripts/test.ts) runs two lanes and names each lane's report.
      reporters: [
        "default",
        ["json", { outputFile: process.env.VITEST_JSON_REPORT ?? "reports/vitest.json" }],
      ],
      projects: [
        {
          plugins: [
            cloudflareTest(({ inject }) => ({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ...TEST_SECRETS,
                  TEST_MIGRATIONS: migrations,
                  S3_ENDPOINT: inject("s3Endpoint"),
                  S3_PUBLIC_ENDPOINT: inject("s3Endpoint"),
                  TRANSCODER_URL: inject("fleetUrl"),
                  FLEET_URL: inject("fleetUrl"),
                  // Warnings and errors only; tests that read info lines pin the level (lib/log.ts).
                  LOG_LEVEL: "warn",
                  // A short epoch cache, so revocation tests see other isolates' bound quickly.
                  ACCESS_EPOCH_CACHE_SECONDS: "1",
                  // Mail goes to a real SMTP server on loopback (edge/test/mail-setup.ts).
                  SMTP_URL: inject("smtpUrl"),
                  MAIL_SINK_URL: inject("mailSinkUrl"),
                  // "Sign in with Google" against a real oidc-provider on loopback (edge/test/oidc-setup.ts).
                  OIDC_GOOGLE_ISSUER: inject("oidcIssuer"),
                  OIDC_GOOGLE_CLIENT_ID: OIDC_TEST_CLIENT.clientId,
                  OIDC_GOOGLE_CLIENT_SECRET: OIDC_TEST_CLIENT.clientSecret,
                  OIDC_CRAFTED_ISSUER: inject("oidcCraftedIssuer"),
                },
                // The real site is tested in e2e; here SITE only has to exist and answer.
                workers: [
                  {
                    name: "streamline-site",
                    modules: true,
                    script:
                      "export default { fetch: (r) => new Response('site:' + new URL(r.url).pathname) }",
                  },
                ],
              },
            })),
          ],
          test: {
            name: "edge",
            ...UNIT_TIMEOUTS,
            // attack/api: the API fuzzer needs the same workerd Worker as the edge tests.
            include: ["edge/src/**/*.test.ts", "attack/api/**/*.test.ts"],
            provide: {
              attackFuzzRequests: Number(process.env.ATTACK_FUZZ_REQUESTS) || 600,
              attackSeed: Number(process.env.ATTACK_SEED) || 1411,
            },
            setupFiles: ["edge/test/apply-migrations.ts"],
            globalSetup: ["edge/test/global-setup.ts", "edge/test/mail-setup.ts", "edge/test/oidc-setup.ts"],
          },
        },
        {
          test: {
            name: "transcoder",
            include: TRANSCODER_INTEGRATION,
            environment: "node",
            testTimeout: 180_000,
            hookTimeout: 180_000,
          },
        },
        {
          test: {
            name: "transcoder-unit",
            ...UNIT_TIMEOUTS,
            include: ["transcoder/src/**/*.test.ts"],
            exclude: TRANSCODER_INTEGRATION,
            environment: "node",
          },
        },
        {
          test: {
            name: "contracts",
            ...UNIT_TIMEOUTS,
            include: ["contracts/src/**/*.test.ts"],
            environment: "node",
          },
        },
        {
          test: {
            name: "site",
            ...UNIT_TIMEOUTS,
            include: ["site/src/**/*.test.ts"],
            environment: "node",
          },
        },
        {
          test: {
            name: "scripts",
            ...UNIT_TIMEOUTS,
            include: ["scripts/**/*.test.ts", "bench/lib/**/*.test.ts"],
            environment: "node",
          },
        },
        {
          // The hostile media corpus (attack/): quick subset here, the whole corpus and
          // the 10k-request fuzz under `npm run attack`. The API fuzzer runs in workerd,
          // inside the edge project.
          test: {
            name: "attack",
            include: ["attack/media/**/*.test.ts"],
            environment: "node",
            testTimeout: 180_000,
            hookTimeout: 180_000,
          },
        },
        {
          test: {
            name: "e2e",
            globalSetup: ["e2e/global-setup.ts"],
            include: ["e2e/**/*.test.ts"],
            environment: "node",
            testTimeout: 300_000,
            hookTimeout: 300_000,
            // expect.poll's default 1 s is too short for a browser + stack on 2 shared cores
            // (an hls.js level switch took longer under load); a poll still fails fast on a
            // wrong value once this has run out.
            expect: { poll: { timeout: 15_000, interval: 100 } },
            fileParallelism: false,
          },
        },
      ],
    },
  };
});
