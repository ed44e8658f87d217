/**
 * One config, four projects: edge (inside workerd via @cloudflare/vitest-plugin),
 * transcoder (Node + real ffmpeg/S3/Redis), site (browser-side logic in Node) and e2e
 * (the whole stack + Chromium).
 */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_SECRETS } from "./edge/test/secrets.ts";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    test: {
      reporters: ["default", ["json", { outputFile: "reports/vitest.json" }]],
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
                  ADMIN_EMAILS: "admin@example.com",
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
            include: ["edge/src/**/*.test.ts"],
            setupFiles: ["edge/test/apply-migrations.ts"],
            globalSetup: ["edge/test/global-setup.ts"],
          },
        },
        {
          test: {
            name: "transcoder",
            include: ["transcoder/src/**/*.test.ts"],
            environment: "node",
            testTimeout: 180_000,
            hookTimeout: 180_000,
          },
        },
        {
          test: {
            name: "site",
            include: ["site/src/**/*.test.ts"],
            environment: "node",
          },
        },
        {
          test: {
            name: "scripts",
            include: ["scripts/**/*.test.ts"],
            environment: "node",
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
            fileParallelism: false,
          },
        },
      ],
    },
  };
});
