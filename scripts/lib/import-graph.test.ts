import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { astroScriptText, buildGraph, checkStructure } from "./import-graph.ts";

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A throwaway repository: path → file text. */
function tree(files: Record<string, string>) {
  root = mkdtempSync(join(tmpdir(), "import-graph-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const DIRS = ["contracts/src", "edge/src", "transcoder/src", "site/src", "scripts"];
const problems = (dir: string) =>
  checkStructure(dir, buildGraph(dir, DIRS)).map((v) => `${v.rule}: ${v.message}`);

describe("check-imports", () => {
  it("passes a tree whose imports go one way", () => {
    const dir = tree({
      "contracts/package.json": JSON.stringify({
        name: "@streamline/contracts",
        exports: { ".": "./src/index.ts" },
      }),
      "contracts/src/index.ts": `export const x = 1;`,
      "edge/src/app.ts": `import { a } from "./features/a/a.routes.ts";\nimport { x } from "@streamline/contracts";`,
      "edge/src/features/a/a.routes.ts": `import { b } from "../b/b.service.ts";\nexport const a = b;`,
      "edge/src/features/b/b.service.ts": `import type { X } from "../../lib/types.ts";\nexport const b = 1;`,
      "edge/src/lib/types.ts": `export type X = number;`,
      "edge/src/middleware/auth/index.ts": `export const auth = (verify: () => boolean) => verify;`,
    });
    expect(problems(dir)).toEqual([]);
    expect(buildGraph(dir, DIRS).find((e) => e.specifier === "@streamline/contracts")?.to).toBe(
      "contracts/src/index.ts",
    );
  });

  it("names a file cycle, including one through a dynamic import and a re-export", () => {
    const dir = tree({
      "transcoder/src/a.ts": `export { b } from "./b.ts";`,
      "transcoder/src/b.ts": `export const b = () => import("./c.ts");`,
      "transcoder/src/c.ts": `import "./a.ts";`,
    });
    expect(problems(dir)).toEqual([
      "cycle: import cycle: transcoder/src/a.ts → transcoder/src/b.ts → transcoder/src/c.ts → transcoder/src/a.ts",
    ]);
  });

  it("names a path that leaves a folder and comes back (ffmpeg/hls → ladder → ffmpeg/probe)", () => {
    const dir = tree({
      "transcoder/src/ffmpeg/hls.ts": `import { rungs } from "../ladder.ts";`,
      "transcoder/src/ladder.ts": `import type { Probe } from "./ffmpeg/probe.ts";\nexport const rungs = 1;`,
      "transcoder/src/ffmpeg/probe.ts": `export type Probe = 1;`,
      // A test reaching up to its parent is not a cycle: nothing imports a test.
      "transcoder/src/ffmpeg/probe.test.ts": `import { rungs } from "../ladder.ts";`,
    });
    expect(problems(dir)).toEqual([
      "folder-cycle: transcoder/src/ffmpeg/ is left and re-entered: transcoder/src/ffmpeg/hls.ts → transcoder/src/ladder.ts → transcoder/src/ffmpeg/probe.ts",
    ]);
  });

  it("flags another feature's routes, middleware reaching into features and relative paths into a package", () => {
    const dir = tree({
      "contracts/package.json": JSON.stringify({ exports: { ".": "./src/index.ts" } }),
      "contracts/src/signing.ts": `export const sign = 1;`,
      "edge/src/features/me/me.routes.ts": `import { page } from "../videos/videos.routes.ts";`,
      "edge/src/features/videos/videos.routes.ts": `export const page = 1;`,
      "edge/src/features/videos/videos.service.ts": `export const list = 1;`,
      "edge/src/features/jobs/sweeper.ts": `import { list } from "../videos/videos.service.ts";`,
      "edge/src/middleware/auth/index.ts": `import { page } from "../../features/videos/videos.routes.ts";`,
      "site/src/lib/api.ts": `import { sign } from "../../../contracts/src/signing.ts";`,
      "scripts/bench.ts": `import { sign } from "../contracts/src/signing.ts";`,
    });
    const found = problems(dir);
    expect(found).toHaveLength(4);
    expect(found[0]).toMatch(
      /^feature-routes: edge\/src\/features\/me\/me\.routes\.ts:1 imports "\.\.\/videos\/videos\.routes\.ts"/,
    );
    expect(found[1]).toMatch(/^middleware-feature: edge\/src\/middleware\/auth\/index\.ts:1 /);
    expect(found[2]).toMatch(
      /^relative-package: scripts\/bench\.ts:1 .*import "@streamline\/contracts" instead$/,
    );
    expect(found[3]).toMatch(/^relative-package: site\/src\/lib\/api\.ts:1 /);
  });

  it("reads the frontmatter and <script> blocks of .astro files, keeping line numbers", () => {
    const astro = [
      "---",
      'import Layout from "../layouts/base.astro";',
      "---",
      "<Layout><p>import nothing from 'markup'</p></Layout>",
      "<script>",
      '  import { mount } from "../lib/mount.ts";',
      "</script>",
    ].join("\n");
    const text = astroScriptText(astro);
    expect(text.split("\n")).toHaveLength(7);
    expect(text).not.toContain("markup");
    const dir = tree({
      "site/src/pages/index.astro": astro,
      "site/src/layouts/base.astro": "<slot />",
      "site/src/lib/mount.ts": `export const mount = 1;`,
    });
    expect(buildGraph(dir, DIRS).map((e) => `${e.from}:${e.line} → ${e.to}`)).toEqual([
      "site/src/pages/index.astro:2 → site/src/layouts/base.astro",
      "site/src/pages/index.astro:6 → site/src/lib/mount.ts",
    ]);
  });
});
