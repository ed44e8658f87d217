/**
 * Per-process scratch space under WORK_DIR: `streamline-node-<pid>/`. A node killed with
 * SIGKILL (OOM killer, a crashed host) cannot remove its jobs' temp files, so every node
 * removes, when it starts, the scratch dirs of processes that no longer exist on this
 * host (or that carry its own pid: a restarted container usually reuses it).
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { log } from "../log.ts";

const PREFIX = "streamline-node-";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it just isn't ours to signal.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Creates this process's scratch dir after sweeping dead processes' ones; returns its path. */
export async function prepareWorkDir(root: string, pid = process.pid): Promise<string> {
  await mkdir(root, { recursive: true });
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith(PREFIX)) continue;
    const owner = Number(entry.name.slice(PREFIX.length));
    if (!Number.isInteger(owner) || owner <= 0) continue;
    if (owner !== pid && alive(owner)) continue;
    await rm(join(root, entry.name), { recursive: true, force: true }).then(
      () => log.info("removed a dead node's temp files", { dir: join(root, entry.name) }),
      () => {},
    );
  }
  const mine = join(root, `${PREFIX}${pid}`);
  await mkdir(mine, { recursive: true });
  return mine;
}

export async function removeWorkDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => {});
}

/**
 * What a WORK_DIR holds besides the nodes' own scratch dirs (which must be empty once no job
 * runs) and a file system's `lost+found`: the temp files a job or a dead node left behind.
 * Paths relative to `root`. The after-fault checks use it (scripts/lib/after-fault.ts).
 */
export function leftoverTempFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const ownDir = new RegExp(`^${PREFIX}\\d+$`);
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((p) => !ownDir.test(p) && p !== "lost+found" && !p.startsWith("lost+found/"));
}
