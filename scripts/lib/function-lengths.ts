/**
 * Every function's length in lines — declarations, methods, constructors, accessors,
 * arrows and function expressions, nested ones too — read with the TypeScript parser from
 * `.ts` files and the frontmatter and `<script>` blocks of `.astro` files. A function's
 * lines run from its first token to its closing brace, so its doc comment is not counted.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript6";
import { astroScriptText, listSourceFiles } from "./import-graph.ts";

export interface FunctionLength {
  file: string;
  line: number;
  name: string;
  lines: number;
}

/** Tests and generated code are not the code a maintainer reads to change behaviour. */
export const isMeasured = (file: string) =>
  !/\.test\.tsx?$/.test(file) && !file.endsWith(".d.ts") && !/(^|\/)(dist|node_modules)\//.test(file);

function nameOf(node: ts.FunctionLikeDeclaration, sf: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return `${className(node) ?? "class"}.constructor`;
  if (node.name) {
    const own = node.name.getText(sf);
    const owner = ts.isClassLike(node.parent) ? className(node) : undefined;
    return owner ? `${owner}.${own}` : own;
  }
  const parent = node.parent;
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    return parent.name.getText(sf);
  }
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText(sf).slice(0, 40)})`;
  if (ts.isExportAssignment(parent)) return "default export";
  return "(anonymous)";
}

function className(node: ts.Node): string | undefined {
  const cls = node.parent;
  return cls && ts.isClassLike(cls) ? (cls.name?.text ?? "(class)") : undefined;
}

export function measureSource(file: string, text: string): FunctionLength[] {
  const code = file.endsWith(".astro") ? astroScriptText(text) : text;
  const sf = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: FunctionLength[] = [];
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const fn = node as ts.FunctionLikeDeclaration;
      const start = lineOf(fn.getStart(sf));
      found.push({ file, line: start, name: nameOf(fn, sf), lines: lineOf(fn.getEnd()) - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

export function measureTree(root: string, dirs: readonly string[]): FunctionLength[] {
  return listSourceFiles(root, dirs)
    .filter(isMeasured)
    .flatMap((file) => measureSource(file, readFileSync(join(root, file), "utf8")))
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
}
