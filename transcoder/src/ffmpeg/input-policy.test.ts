import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures } from "../../../scripts/make-fixtures.ts";
import { ffmpegForTests } from "../testing/media.ts";
import { type Canary, nestedUrlCorpus, startCanary } from "../testing/nested-url-corpus.ts";
import { buildHlsArgs, httpInputArgs } from "./hls.ts";
import {
  inputProtocols,
  MEDIA_DEMUXERS,
  refusedFormat,
  unsupportedFormatReason,
  untrustedInputArgs,
} from "./input-policy.ts";
import type { FfmpegBinaries } from "./locate.ts";
import { buildPosterArgs } from "./poster.ts";
import { NotAVideoError, probeFile } from "./probe.ts";

describe("input policy", () => {
  it("allows exactly the source's own protocol", () => {
    expect(inputProtocols("https://r2.example/b/k?X-Amz-Signature=1")).toBe("https,tls,tcp");
    expect(inputProtocols("http://127.0.0.1:9000/b/k")).toBe("http,tcp");
    expect(inputProtocols("/tmp/streamline-job-x/source")).toBe("file");
  });

  it("whitelists no demuxer that opens other files or URLs", () => {
    for (const nested of [
      "hls",
      "dash",
      "concat",
      "imf",
      "sdp",
      "rtsp",
      "sap",
      "image2",
      "webm_dash_manifest",
    ])
      expect(MEDIA_DEMUXERS).not.toContain(nested);
    expect(untrustedInputArgs("/x")).toEqual([
      "-format_whitelist",
      MEDIA_DEMUXERS.join(","),
      "-protocol_whitelist",
      "file",
    ]);
  });

  it("is applied to every ffmpeg reading the upload (HLS encode, poster), before -i", () => {
    const hls = buildHlsArgs({
      input: "http://s3/b/k",
      inputArgs: httpInputArgs(),
      rungs: [],
      audio: { stream: 0 },
      frameRate: { num: 30, den: 1 },
      preset: "veryfast",
      fpsMode: true,
      colour: { transfer: null, primaries: null, matrix: null, hdr: null },
    });
    const poster = buildPosterArgs("/w/source", "/w/poster.jpg", 10);
    for (const [args, protocols] of [
      [hls, "http,tcp"],
      [poster, "file"],
    ] as const) {
      const i = args.indexOf("-i");
      expect(args.indexOf("-format_whitelist")).toBeGreaterThan(-1);
      expect(args.indexOf("-format_whitelist")).toBeLessThan(i);
      expect(args[args.indexOf("-protocol_whitelist") + 1]).toBe(protocols);
      expect(args.filter((a) => a === "-protocol_whitelist")).toHaveLength(1);
    }
  });

  it("reads the refused demuxer from ffmpeg's error line", () => {
    expect(
      refusedFormat("[dash @ 0x55d0a2c] Format not on whitelist 'mov,matroska'\nx: Invalid argument"),
    ).toBe("dash");
    expect(refusedFormat("Format not on whitelist 'mov'")).toBe("");
    expect(refusedFormat("moov atom not found")).toBeNull();
    expect(unsupportedFormatReason("hls")).toBe(
      "not a supported video format (it is an HLS playlist, which refers to other files or URLs)",
    );
    expect(unsupportedFormatReason("libopenmpt")).toBe("not a supported video format (libopenmpt)");
  });
});

const bins = await ffmpegForTests();

/**
 * A stand-in for the storage origin that records every path asked for: ffprobe must
 * request the source and nothing else, not even a neighbour on the same origin.
 */
describe.skipIf(!bins)("probing over HTTP opens the source and nothing else", () => {
  const { ffprobe } = bins as FfmpegBinaries;
  let canary: Canary;
  let origin: { url: string; paths: string[]; files: Map<string, Buffer>; close(): Promise<void> };

  beforeAll(async () => {
    canary = await startCanary();
    const files = new Map<string, Buffer>();
    const paths: string[] = [];
    const server = createServer((req, res) => {
      const path = (req.url ?? "").split("?")[0] as string;
      paths.push(path);
      const body = files.get(path);
      if (!body) return void res.writeHead(404).end();
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
      const start = range ? Number(range[1]) : 0;
      const end = range?.[2] ? Number(range[2]) : body.length - 1;
      res.writeHead(range ? 206 : 200, {
        "content-length": String(end - start + 1),
        "accept-ranges": "bytes",
        ...(range ? { "content-range": `bytes ${start}-${end}/${body.length}` } : {}),
      });
      res.end(req.method === "HEAD" ? undefined : body.subarray(start, end + 1));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      paths,
      files,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  });
  afterAll(async () => {
    await Promise.all([canary?.close(), origin?.close()]);
  });

  it("a real MP4 still probes over the URL", async () => {
    const fx = await ensureFixtures(["clip-640x360-2s.mp4"]);
    origin.files.set("/b/clip/source", await readFile(fx["clip-640x360-2s.mp4"]));
    const { probe } = await probeFile(ffprobe, `${origin.url}/b/clip/source`, { inputArgs: httpInputArgs() });
    expect([probe.width, probe.height, probe.container]).toEqual([640, 360, "mov,mp4,m4a,3gp,3g2,mj2"]);
  });

  it("every nested-URL file is refused after one read of itself", async () => {
    for (const f of nestedUrlCorpus(canary)) {
      const path = `/b/${f.name}/source`;
      origin.files.set(path, Buffer.from(f.body));
      origin.paths.length = 0;
      const err = await probeFile(ffprobe, `${origin.url}${path}`, { inputArgs: httpInputArgs() }).catch(
        (e: unknown) => e,
      );
      expect(err, f.name).toBeInstanceOf(NotAVideoError);
      expect((err as NotAVideoError).reason, f.name).toBe(
        `not a playable video: ${unsupportedFormatReason(f.format)}`,
      );
      expect(new Set(origin.paths), f.name).toEqual(new Set([path]));
    }
    expect(canary.hits).toEqual([]);
  });
});
