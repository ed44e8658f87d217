/**
 * Stand-alone vitest config for the transcoder (node environment). The root
 * vitest.config.ts points its `transcoder` project here or mirrors these settings.
 * Run: npx vitest run --root /work/main --config transcoder/vitest.config.ts
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "transcoder",
    include: ["transcoder/src/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" },
  },
});
