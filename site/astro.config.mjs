// @ts-check
/**
 * Astro config for the Streamline site Worker. Every page is rendered on demand (pages are
 * thin shells; client scripts fetch the same-origin API), so no sessions and no image
 * service: that keeps the Worker free of the adapter's default SESSION (KV) and IMAGES bindings.
 */
import cloudflare from "@astrojs/cloudflare";
import { defineConfig } from "astro/config";
import { watchModules } from "./scripts/watch-modules.mjs";

export default defineConfig({
  output: "server",
  adapter: cloudflare({
    configPath: "./wrangler.jsonc",
    imageService: "passthrough",
  }),
  session: false,
  // The watch page's first script's module graph as modulepreload links (ADR 0033).
  integrations: [watchModules()],
  devToolbar: { enabled: false },
  server: { host: "127.0.0.1", port: 4321 },
  vite: {
    // hls.js (~580 KB raw, 178 KB gz) is a lazily imported chunk for the player only.
    build: { chunkSizeWarningLimit: 650 },
  },
});
