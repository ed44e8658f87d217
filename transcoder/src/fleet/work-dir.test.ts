import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { leftoverTempFiles, prepareWorkDir, removeWorkDir } from "./work-dir.ts";

describe("per-process work dirs", () => {
  const roots: string[] = [];
  afterAll(async () => {
    await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
  });

  it("sweeps dirs of dead processes and of this pid's previous life; keeps live ones and strangers", async () => {
    const root = await mkdtemp(join(tmpdir(), "streamline-workdir-test-"));
    roots.push(root);
    // A pid that surely exited: a child we ran to completion.
    const deadPid = spawnSync(process.execPath, ["-e", "process.exit(0)"]).pid;
    const livePid = process.ppid;
    for (const name of [
      `streamline-node-${deadPid}`,
      `streamline-node-${livePid}`,
      "streamline-node-4242x",
      "other",
    ]) {
      await mkdir(join(root, name, "streamline-job-abc"), { recursive: true });
      await writeFile(join(root, name, "streamline-job-abc", "source"), "x");
    }
    const mine = await prepareWorkDir(root, 777_777);
    await mkdir(join(mine, "leftover"));
    expect(mine).toBe(join(root, "streamline-node-777777"));
    expect((await readdir(root)).sort()).toEqual(
      ["other", "streamline-node-4242x", `streamline-node-${livePid}`, "streamline-node-777777"].sort(),
    );

    // Restarted with the same pid (containers): the old dir is stale, not live.
    const again = await prepareWorkDir(root, 777_777);
    expect(await readdir(again)).toEqual([]);
    await removeWorkDir(again);
    expect(await readdir(root)).not.toContain("streamline-node-777777");
  });

  it("leftoverTempFiles: only the nodes' own empty scratch dirs (and lost+found) are not leftovers", async () => {
    const root = await mkdtemp(join(tmpdir(), "streamline-workdir-test-"));
    roots.push(root);
    expect(leftoverTempFiles(join(root, "missing"))).toEqual([]);
    const mine = await prepareWorkDir(root, 888_888);
    await mkdir(join(root, "lost+found"));
    expect(leftoverTempFiles(root)).toEqual([]);
    await mkdir(join(mine, "streamline-job-abc"));
    await writeFile(join(mine, "streamline-job-abc", "seg_001.m4s"), "x");
    await writeFile(join(root, "stray.tmp"), "x");
    expect(leftoverTempFiles(root).sort()).toEqual(
      [
        "stray.tmp",
        join("streamline-node-888888", "streamline-job-abc"),
        join("streamline-node-888888", "streamline-job-abc", "seg_001.m4s"),
      ].sort(),
    );
  });
});
