/** Unit tests for the site's browser-side logic; they run in Node with injected fakes. */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "site",
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
