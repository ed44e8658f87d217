/**
 * The processes a bench started, read from /proc (Linux): the tree under a pid, each one's
 * resident memory, and the loopback TCP ports it listens on. The load bench samples the RSS
 * of every process of the stack (workerd ×2, wrangler, the bench's own Node with the S3
 * server, a transcoder) every 10 s.
 */
import { readdir, readFile, readlink } from "node:fs/promises";

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** A short role name: workerd, wrangler, transcoder, node (the bench itself), or comm. */
  name: string;
}

async function readProc(pid: number): Promise<ProcessInfo | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const cmd = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").join(" ");
    return { pid, ppid, name: roleOf(comm, cmd) };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** The role a command line plays in the local stack. */
export function roleOf(comm: string, cmd: string): string {
  // wrangler dev runs two: its proxy on the public port, the Workers on a random one (entry=…:0).
  if (comm === "workerd" || /\/workerd( |$)/.test(cmd))
    return /--socket-addr=entry=[^ ]*:0( |$)/.test(cmd) ? "workerd-workers" : "workerd-proxy";
  if (cmd.includes("wrangler-dist/cli.js")) return "wrangler";
  if (cmd.includes("wrangler/bin/wrangler.js")) return "wrangler-launcher";
  if (cmd.includes("transcoder/src/main.ts")) return "transcoder";
  if (comm === "ffmpeg" || comm === "ffprobe" || comm === "redis-server" || comm === "esbuild") return comm;
  return comm;
}

/** `root` and every process below it. */
export async function processTree(root: number): Promise<ProcessInfo[]> {
  const all = (
    await Promise.all((await readdir("/proc")).filter((d) => /^\d+$/.test(d)).map((d) => readProc(Number(d))))
  ).filter((p): p is ProcessInfo => p !== undefined);
  const children = new Map<number, ProcessInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const self = all.find((p) => p.pid === root);
  const out: ProcessInfo[] = self ? [self] : [];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!.pid) ?? []));
  return out;
}

/** Resident set size in bytes (VmRSS), or undefined once the process is gone. */
export async function rssBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** Ports `pid` listens on over TCP (IPv4 and IPv6 tables). */
export async function listeningPorts(pid: number): Promise<number[]> {
  const inodes = new Set<string>();
  try {
    for (const fd of await readdir(`/proc/${pid}/fd`)) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m) inodes.add(m[1]!);
    }
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await readFile(table, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] local address:port (hex), f[3] state (0A = LISTEN), f[9] inode
      if (f[3] === "0A" && inodes.has(f[9] ?? "")) ports.push(Number.parseInt(f[1]!.split(":")[1]!, 16));
    }
  }
  return ports;
}
