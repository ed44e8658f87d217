/**
 * Issue 11 hole 1, the QuickTime case (docs/adr/0009): a MOV's data reference (`dref`) may
 * say "my samples live in another file" (a Mac alias record with a relative path). With
 * the mov demuxer's `enable_drefs` on, ffmpeg opens that file next to the source — over
 * HTTP, a second request of the uploader's choosing. Our reads must never follow it: the
 * MOV is read from its own bytes only (its external track stays unopened, so it has
 * nothing to decode), and the server that serves it sees no request but for the source. The control run with `-enable_drefs 1` proves the file
 * really carries a live reference (the test could fail).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ffmpegForTests } from "../testing/media.ts";
import { movWithExternalDref } from "../testing/nested-url-corpus.ts";
import { httpInputArgs } from "./hls.ts";
import { untrustedInputArgs } from "./input-policy.ts";
import type { FfmpegBinaries } from "./locate.ts";
import { probeFile } from "./probe.ts";

const run = promisify(execFile);
const bins = await ffmpegForTests();

describe.skipIf(!bins)("a QuickTime data reference never opens another file", () => {
  const ffmpeg = bins as FfmpegBinaries;
  let server: Server;
  let base: string;
  let dir: string;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "streamline-dref-"));
    const plain = join(dir, "plain.mov");
    // biome-ignore format: one flag/value pair per line
    await run(ffmpeg.ffmpeg, [
      "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=10:duration=1",
      "-c:v", "libx264", "-preset", "ultrafast", "-f", "mov", plain,
    ]);
    const hostile = movWithExternalDref(await readFile(plain), "target.mov");
    server = createServer((req, res) => {
      requests.push(req.url ?? "");
      if (req.url !== "/media/source.mov") return void res.writeHead(404).end();
      const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? "");
      const start = range ? Number(range[1]) : 0;
      const end = range?.[2] ? Number(range[2]) : hostile.length - 1;
      res.writeHead(range ? 206 : 200, {
        "content-type": "video/quicktime",
        "accept-ranges": "bytes",
        "content-length": String(end - start + 1),
        ...(range ? { "content-range": `bytes ${start}-${end}/${hostile.length}` } : {}),
      });
      res.end(hostile.subarray(start, end + 1));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/media/source.mov`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it("the control: with enable_drefs on, ffmpeg would fetch the referenced file", async () => {
    requests.length = 0;
    await run(ffmpeg.ffprobe, ["-v", "error", "-enable_drefs", "1", "-show_streams", base]).catch(() => {});
    expect(requests).toContain("/media/target.mov");
  });

  it("probing over the presigned-style URL reads only the source", async () => {
    requests.length = 0;
    // The sample description is in the MOV itself, so the probe still sees a 64×64 track.
    const info = await probeFile(ffmpeg.ffprobe, base, { inputArgs: httpInputArgs() });
    expect(info.probe.width).toBe(64);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r !== "/media/source.mov")).toEqual([]);
  });

  it("decoding it the way the encoder reads its input opens nothing else", async () => {
    requests.length = 0;
    // biome-ignore format: one flag/value pair per line
    const decoded = await run(ffmpeg.ffmpeg, [
      "-v", "error", ...untrustedInputArgs(base), ...httpInputArgs(), "-i", base, "-f", "null", "-",
    ]).catch((e: unknown) => e);
    // The samples live "elsewhere" and elsewhere is never opened: nothing to decode, so the
    // job would fail as an unreadable file instead of reading another object.
    expect(decoded).toBeInstanceOf(Error);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r !== "/media/source.mov")).toEqual([]);
  });
});
