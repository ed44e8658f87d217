/**
 * Shared by the benchmarks: CPU accounting of ffmpeg children and the rows they add to
 * bench/RESULTS.md (one section per bench, tables padded the way `biome format` does so
 * `npm run lint` stays clean after a run).
 */
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";

export const BENCH_ROOT = resolve(import.meta.dirname, "..", "..");

const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * User+system CPU seconds of all reaped children of this process so far: fields
 * `cutime`/`cstime` of /proc/self/stat (Node's resourceUsage() excludes children; libuv
 * reaps every ffmpeg we spawn, so the delta around a run is exactly that run's CPU).
 */
export async function childCpuSeconds(): Promise<number> {
  const stat = await readFile("/proc/self/stat", "utf8");
  // Field 2 (comm) may contain spaces: count fields after its closing parenthesis.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state) → cutime = field 16 = rest[13], cstime = field 17 = rest[14].
  return (Number(rest[13]) + Number(rest[14])) / CLK_TCK;
}

export interface Measurement<T = void> {
  wallSec: number;
  cpuSec: number;
  value: T;
}

export async function measure<T>(fn: () => Promise<T>): Promise<Measurement<T>> {
  const cpu0 = await childCpuSeconds();
  const t0 = performance.now();
  const value = await fn();
  const wallSec = (performance.now() - t0) / 1000;
  return { wallSec, cpuSec: (await childCpuSeconds()) - cpu0, value };
}

/** The 1-minute load average: benches on a shared 2-core VM record it beside their figures. */
export async function load1(): Promise<number> {
  return Number((await readFile("/proc/loadavg", "utf8")).split(" ")[0]);
}

export const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** JSON.stringify with arrays of scalars on one line, as `biome format` prints them. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\n\s*([^[\]{}]*?)\n\s*\]/g, (_m, body: string) => {
    return `[${body.split(/,\n\s*/).join(", ")}]`;
  });
}

/**
 * Adds `row` at the end of the table in `section` of bench/RESULTS.md, creating the
 * section (heading + `intro` lines, which end with the table header) when missing.
 * Other sections are untouched. With BENCH_DRY set, prints the row instead.
 */
export async function appendResultsRow(
  section: string,
  intro: readonly string[],
  row: string,
): Promise<void> {
  // BENCH_DRY=1: a trial run (smaller sizes) that must not land in the results.
  if (process.env.BENCH_DRY) return void console.log(`(BENCH_DRY) ${section}\n${row}`);
  const file = join(BENCH_ROOT, "bench", "RESULTS.md");
  let text = "# Benchmark results\n";
  try {
    text = await readFile(file, "utf8");
  } catch {
    // first bench run on this checkout
  }
  const lines = text.replace(/\s+$/, "").split("\n");
  const start = lines.indexOf(section);
  if (start < 0) {
    lines.push("", section, "", ...intro, row);
  } else {
    let end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
    if (end < 0) end = lines.length;
    // Insert after the last table row of the section.
    let last = end - 1;
    while (last > start && !lines[last]?.startsWith("|")) last--;
    lines.splice(last + 1, 0, row);
  }
  await writeFile(file, `${alignTables(lines).join("\n")}\n`);
}

/** Pads every markdown table the way `biome format` does. */
export function alignTables(lines: string[]): string[] {
  const out = [...lines];
  for (let i = 0; i < out.length; ) {
    if (!out[i]?.startsWith("|")) {
      i++;
      continue;
    }
    let j = i;
    while (out[j]?.startsWith("|")) j++;
    const rows = out.slice(i, j).map((l) =>
      l
        .replace(/^\|/, "")
        .replace(/\|$/, "")
        .split("|")
        .map((c) => c.trim()),
    );
    const isRule = (cells: string[]) => cells.every((c) => /^:?-+:?$/.test(c));
    const widths: number[] = [];
    for (const cells of rows) {
      if (isRule(cells)) continue;
      cells.forEach((c, k) => {
        widths[k] = Math.max(widths[k] ?? 3, c.length);
      });
    }
    const rendered = rows.map((cells) =>
      isRule(cells)
        ? `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`
        : `| ${widths.map((w, k) => (cells[k] ?? "").padEnd(w)).join(" | ")} |`,
    );
    out.splice(i, j - i, ...rendered);
    i = j;
  }
  return out;
}
