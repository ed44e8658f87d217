import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { measureSource, measureTree } from "./function-lengths.ts";

const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join("\n");

describe("function lengths", () => {
  it("measures declarations, arrows, methods, constructors and nested functions by name", () => {
    const source = [
      "export function outer() {", // 1
      body(3), // 2-4
      "  const inner = () => {", // 5
      "    return 1;",
      "  };", // 7
      "  return inner;",
      "}", // 9
      "class Room {",
      "  constructor() {}", // 11
      "  handle(x: number) {", // 12
      "    return x;",
      "  }", // 14
      "}",
      "export default { fetch: async () => new Response() };", // 16
      "setTimeout(function () {}, 1);", // 17
    ].join("\n");
    expect(measureSource("a.ts", source).map((f) => `${f.name}@${f.line}:${f.lines}`)).toEqual([
      "outer@1:9",
      "inner@5:3",
      "Room.constructor@11:1",
      "Room.handle@12:3",
      "fetch@16:1",
      "(callback of setTimeout)@17:1",
    ]);
  });

  it("reads the <script> blocks of .astro files with their line numbers, and no markup", () => {
    const astro = [
      "---",
      "const title = () => 'x';",
      "---",
      "<p>{() => 1}</p>",
      "<script>",
      "function mount() {",
      "}",
      "</script>",
    ].join("\n");
    expect(measureSource("p.astro", astro).map((f) => `${f.name}@${f.line}:${f.lines}`)).toEqual([
      "title@2:1",
      "mount@6:2",
    ]);
  });

  describe("over a tree", () => {
    let root: string;
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it("leaves out tests, generated declarations, dist and node_modules; longest first", () => {
      root = mkdtempSync(join(tmpdir(), "function-lengths-"));
      const files = {
        "edge/src/long.ts": `export function long() {\n${body(130)}\n}\nexport const short = () => 1;`,
        "edge/src/long.test.ts": `function skipped() {\n${body(200)}\n}`,
        "edge/worker-configuration.d.ts": `declare function env(): void;`,
        "site/dist/server/entry.ts": `function built() {\n${body(300)}\n}`,
        "site/node_modules/x/index.ts": `function dep() {\n${body(300)}\n}`,
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      expect(measureTree(root, ["edge", "site"])).toEqual([
        { file: "edge/src/long.ts", line: 1, name: "long", lines: 132 },
        { file: "edge/src/long.ts", line: 133, name: "short", lines: 1 },
      ]);
    });
  });
});
