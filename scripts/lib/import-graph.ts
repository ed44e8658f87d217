/**
 * The repository's import graph and the structure rules it must keep: no cycles (between
 * files, or out of a folder and back into it), no edge
 * feature reaching into another feature's routes, no middleware reaching into features,
 * no relative path into another package where its name would do. Specifiers are read
 * with the TypeScript parser (static imports, re-exports, `import()` and `import("x")`
 * types), from `.ts` files and from the frontmatter and `<script>` blocks of `.astro`
 * files; relative ones and `@streamline/*` package names are resolved to files, the rest
 * (npm packages, `node:`, `cloudflare:`, `astro:`) are outside the graph.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript6";

/** Workspace packages: a relative import from outside into one of these should use its name. */
export const PACKAGES = ["contracts", "edge", "transcoder", "site"] as const;
const SKIP_DIRS = new Set(["node_modules", "dist", ".astro", ".wrangler", ".data"]);
const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".astro"];

export interface ImportEdge {
  /** Importing file, relative to the root, `/`-separated. */
  from: string;
  /** Resolved file, relative to the root. */
  to: string;
  specifier: string;
  line: number;
  typeOnly: boolean;
}

export interface Violation {
  rule: "cycle" | "folder-cycle" | "feature-routes" | "middleware-feature" | "relative-package";
  message: string;
}

const toPosix = (p: string) => p.split(sep).join("/");

export function listSourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      if (SKIP_DIRS.has(name)) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (SOURCE_EXTENSIONS.some((ext) => name.endsWith(ext)) && !name.endsWith(".d.ts")) out.push(path);
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out.map((p) => toPosix(relative(root, p))).sort();
}

/** The TypeScript parts of an `.astro` file (frontmatter and `<script>` bodies), lines kept in place. */
export function astroScriptText(source: string): string {
  const keep = new Array<boolean>(source.length).fill(false);
  const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(source);
  if (front) for (let i = 4; i < 4 + (front[1]?.length ?? 0); i++) keep[i] = true;
  for (const m of source.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
    const start = (m.index ?? 0) + m[0].indexOf(">") + 1;
    for (let i = start; i < start + (m[1]?.length ?? 0); i++) keep[i] = true;
  }
  // Blank out markup but keep newlines, so line numbers still point into the .astro file.
  return [...source].map((ch, i) => (keep[i] || ch === "\n" ? ch : " ")).join("");
}

export function readSpecifiers(file: string, text: string) {
  const code = file.endsWith(".astro") ? astroScriptText(text) : text;
  const sf = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: { specifier: string; line: number; typeOnly: boolean }[] = [];
  const add = (node: ts.Node, lit: ts.Expression | undefined, typeOnly: boolean) => {
    if (!lit || !ts.isStringLiteralLike(lit)) return;
    found.push({
      specifier: lit.text,
      line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1,
      typeOnly,
    });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function resolveFile(base: string): string | undefined {
  const candidates = [
    base,
    ...SOURCE_EXTENSIONS.map((e) => base + e),
    base.replace(/\.js$/, ".ts"),
    ...SOURCE_EXTENSIONS.map((e) => join(base, `index${e}`)),
  ];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** `@streamline/<pkg>[/sub]` → file, through the package's `exports` (or its folder when it has none). */
function resolvePackage(root: string, specifier: string): string | undefined {
  const m = /^@streamline\/([^/]+)(?:\/(.*))?$/.exec(specifier);
  if (!m?.[1]) return undefined;
  const pkgDir = join(root, m[1]);
  const manifest = join(pkgDir, "package.json");
  if (!existsSync(manifest)) return undefined;
  const sub = m[2] ? `./${m[2]}` : ".";
  const exportsMap = (JSON.parse(readFileSync(manifest, "utf8")) as { exports?: unknown }).exports;
  if (!exportsMap) return resolveFile(join(pkgDir, sub));
  const entries: Record<string, unknown> =
    typeof exportsMap === "string" ? { ".": exportsMap } : (exportsMap as Record<string, unknown>);
  const target = (value: unknown): string | undefined =>
    typeof value === "string"
      ? value
      : value && typeof value === "object"
        ? target((value as Record<string, unknown>).import ?? (value as Record<string, unknown>).default)
        : undefined;
  const exact = target(entries[sub]);
  if (exact) return resolveFile(join(pkgDir, exact));
  for (const [key, value] of Object.entries(entries)) {
    const star = key.indexOf("*");
    const to = target(value);
    if (star < 0 || !to) continue;
    const [pre, post] = [key.slice(0, star), key.slice(star + 1)];
    if (sub.startsWith(pre) && sub.endsWith(post)) {
      return resolveFile(join(pkgDir, to.replace("*", sub.slice(pre.length, sub.length - post.length))));
    }
  }
  return undefined;
}

export function buildGraph(root: string, dirs: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of listSourceFiles(root, dirs)) {
    const abs = join(root, file);
    for (const { specifier, line, typeOnly } of readSpecifiers(file, readFileSync(abs, "utf8"))) {
      const resolved = specifier.startsWith(".")
        ? resolveFile(resolve(dirname(abs), specifier))
        : resolvePackage(root, specifier);
      if (!resolved) continue;
      edges.push({ from: file, to: toPosix(relative(root, resolved)), specifier, line, typeOnly });
    }
  }
  return edges;
}

/** Every file-level cycle, one per strongly connected component, as a closed path a → … → a. */
export function findCycles(edges: readonly ImportEdge[]): string[][] {
  const next = adjacency(edges);
  return components(edges).map((c) => shortestCycle([...c].sort()[0]!, new Set(c), next));
}

/** Strongly connected components with a cycle in them (Tarjan). */
function components(edges: readonly { from: string; to: string }[]): string[][] {
  const next = adjacency(edges);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1 || next.get(v)?.includes(v)) found.push(component.sort());
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) connect(v);
  return found;
}

/**
 * Paths that leave a folder and come back into it: `ffmpeg/hls.ts → ladder.ts →
 * ffmpeg/probe.ts` means `ffmpeg/` is not a layer — it needs its parent, which needs it —
 * even though no file imports itself back. A folder counts everything under it, so a
 * feature's subfolders are inside the feature; the package roots contain their whole
 * package and never trip this. Test files are left out (nothing imports them).
 */
export function findFolderReentries(edges: readonly ImportEdge[]): { folder: string; path: ImportEdge[] }[] {
  const code = edges.filter((e) => !isTestFile(e.from) && !isTestFile(e.to));
  const out = new Map<string, ImportEdge[]>();
  for (const e of code) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  const folders = new Set(code.flatMap((e) => [e.from, e.to]).flatMap(ancestors));
  const found: { folder: string; path: ImportEdge[] }[] = [];
  for (const folder of [...folders].sort()) {
    const inside = (file: string) => file.startsWith(`${folder}/`);
    // Breadth-first over files outside the folder, from every import that leaves it.
    const cameFrom = new Map<string, ImportEdge>();
    const queue: string[] = [];
    for (const e of code) {
      if (inside(e.from) && !inside(e.to) && !cameFrom.has(e.to)) {
        cameFrom.set(e.to, e);
        queue.push(e.to);
      }
    }
    let back: ImportEdge | undefined;
    while (queue.length && !back) {
      const file = queue.shift()!;
      for (const e of out.get(file) ?? []) {
        if (inside(e.to)) {
          back = e;
          break;
        }
        if (!cameFrom.has(e.to)) {
          cameFrom.set(e.to, e);
          queue.push(e.to);
        }
      }
    }
    if (!back) continue;
    const path = [back];
    while (!inside(path[0]!.from)) path.unshift(cameFrom.get(path[0]!.from)!);
    found.push({ folder, path });
  }
  // The same path also leaves every enclosing folder it starts in: name only the innermost.
  const chain = (p: ImportEdge[]) => p.map((e) => `${e.from}>${e.to}`).join(" ");
  return found.filter(
    (f) => !found.some((g) => g.folder.startsWith(`${f.folder}/`) && chain(g.path) === chain(f.path)),
  );
}

/** `a/b/c.ts` → `a`, `a/b`. */
function ancestors(file: string): string[] {
  const parts = file.split("/").slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

const isTestFile = (file: string) => /\.test\.tsx?$/.test(file);

function adjacency(edges: readonly { from: string; to: string }[]) {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  return next;
}

/** Breadth-first from `start` back to itself inside its component: the cycle a reader can follow. */
function shortestCycle(start: string, members: Set<string>, next: Map<string, string[]>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of next.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(w) && w !== start) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

const packageOf = (file: string) => (PACKAGES as readonly string[]).find((p) => file.startsWith(`${p}/`));
const featureOf = (file: string) => /^edge\/src\/features\/([^/]+)\//.exec(file)?.[1];

function hasExports(root: string, pkg: string): boolean {
  const manifest = join(root, pkg, "package.json");
  return existsSync(manifest) && "exports" in (JSON.parse(readFileSync(manifest, "utf8")) as object);
}

/** The structure rules over a graph. */
export function checkStructure(root: string, edges: readonly ImportEdge[]): Violation[] {
  const violations: Violation[] = findCycles(edges).map((cycle) => ({
    rule: "cycle" as const,
    message: `import cycle: ${cycle.join(" → ")}`,
  }));
  for (const { folder, path } of findFolderReentries(edges)) {
    violations.push({
      rule: "folder-cycle",
      message: `${folder}/ is left and re-entered: ${[path[0]!.from, ...path.map((e) => e.to)].join(" → ")}`,
    });
  }
  for (const e of edges) {
    const where = `${e.from}:${e.line} imports "${e.specifier}"`;
    const fromFeature = featureOf(e.from);
    const toFeature = featureOf(e.to);
    if (fromFeature && toFeature && fromFeature !== toFeature && e.to.endsWith(".routes.ts")) {
      violations.push({
        rule: "feature-routes",
        message: `${where}: feature "${fromFeature}" reaches into another feature's routes (${e.to}); move the shared part into a service`,
      });
    }
    if (e.from.startsWith("edge/src/middleware/") && toFeature) {
      violations.push({
        rule: "middleware-feature",
        message: `${where}: middleware reaches into a feature (${e.to}); take it as an option instead`,
      });
    }
    const target = packageOf(e.to);
    const source = packageOf(e.from);
    // Between packages a relative path is always wrong; from root tooling (scripts, e2e,
    // bench) it is wrong when the package has an `exports` entry to name instead.
    if (e.specifier.startsWith(".") && target && target !== source && (source || hasExports(root, target))) {
      violations.push({
        rule: "relative-package",
        message: `${where}: relative path into package "${target}"; import "@streamline/${target}" instead`,
      });
    }
  }
  return violations;
}
