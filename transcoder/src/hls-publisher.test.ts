/**
 * HlsPublisher with a scripted "ffmpeg" (files written step by step into a temp dir) and
 * an in-memory storage: segment-by-segment publishing of a growing EVENT playlist, in a
 * safe order, and the final #EXT-X-ENDLIST.
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HlsPublisher, type PublishedOutput } from "./hls-publisher.ts";
import { parseMediaPlaylist } from "./master-playlist.ts";
import type { ObjectStorage } from "./storage.ts";

interface Write {
  key: string;
  body: string;
}

function memoryStorage(writes: Write[], failOn?: RegExp): ObjectStorage {
  return {
    async download() {
      throw new Error("not used");
    },
    async upload(key, file) {
      if (failOn?.test(key)) throw new Error(`PUT ${key} failed: HTTP 503`);
      writes.push({ key, body: `file:${file.split("/").pop()}` });
    },
    async putText(key, text) {
      writes.push({ key, body: text });
    },
    async uploadAll(items) {
      for (const i of items) await this.upload(i.key, i.file);
    },
  };
}

/** What ffmpeg's hls muxer leaves on disk after `n` segments (playlist via temp + rename). */
async function ffmpegWrote(dir: string, n: number, done = false) {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "init_0.mp4"), "init");
  const lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:4", "#EXT-X-PLAYLIST-TYPE:EVENT"];
  lines.push('#EXT-X-MAP:URI="init_0.mp4"');
  for (let i = 0; i < n; i++) {
    const seg = `seg_${String(i).padStart(5, "0")}.m4s`;
    await writeFile(join(dir, seg), `segment ${i}`.repeat(100));
    lines.push(i === n - 1 && done ? "#EXTINF:1.500000," : "#EXTINF:4.000000,", seg);
  }
  if (done) lines.push("#EXT-X-ENDLIST");
  await writeFile(join(dir, "index.m3u8.tmp"), `${lines.join("\n")}\n`);
  await rename(join(dir, "index.m3u8.tmp"), join(dir, "index.m3u8"));
}

describe("HlsPublisher", () => {
  let out: string;
  beforeEach(async () => {
    out = await mkdtemp(join(tmpdir(), "streamline-publisher-"));
  });
  afterEach(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it("publishes a growing EVENT playlist segment by segment, then appends ENDLIST", async () => {
    const writes: Write[] = [];
    const rounds: (readonly PublishedOutput[])[] = [];
    const publisher = new HlsPublisher({
      storage: memoryStorage(writes),
      outDir: out,
      outputs: ["240p"],
      keyPrefix: "videos/v_x/",
      playlistType: "EVENT",
      segmentSeconds: 4,
      pollMs: 10,
      onRound: (state) => {
        rounds.push(state);
      },
    });
    publisher.start();
    // A few rounds looked at the empty folder first.
    await vi.waitFor(() => expect(publisher.polls).toBeGreaterThanOrEqual(3));
    expect(writes).toEqual([]); // nothing written by ffmpeg yet

    await ffmpegWrote(join(out, "240p"), 1);
    await vi.waitFor(() => expect(rounds).toHaveLength(1));
    expect(writes.map((w) => w.key)).toEqual([
      "videos/v_x/240p/init.mp4",
      "videos/v_x/240p/seg_00000.m4s",
      "videos/v_x/240p/index.m3u8",
    ]);
    const first = parseMediaPlaylist(writes[2]?.body ?? "");
    expect([first.playlistType, first.endList, first.mapUri, first.segments.length]).toEqual([
      "EVENT",
      false,
      "init.mp4",
      1,
    ]);
    expect(rounds[0]?.[0]).toMatchObject({ name: "240p", complete: false, durationSec: 4, initBytes: 4 });

    await ffmpegWrote(join(out, "240p"), 3);
    await vi.waitFor(() => expect(rounds).toHaveLength(2));
    // Only the new segments, each before the playlist that lists it; the init only once.
    expect(writes.slice(3).map((w) => w.key)).toEqual([
      "videos/v_x/240p/seg_00001.m4s",
      "videos/v_x/240p/seg_00002.m4s",
      "videos/v_x/240p/index.m3u8",
    ]);

    await ffmpegWrote(join(out, "240p"), 4, true);
    const [final] = await publisher.finish(true);
    expect(final).toMatchObject({ complete: true, durationSec: 13.5 });
    expect(final?.sizes).toHaveLength(4);
    const last = writes.at(-1);
    expect(last?.key).toBe("videos/v_x/240p/index.m3u8");
    const text = last?.body ?? "";
    expect(text.startsWith(writes[5]?.body ?? "x")).toBe(true); // append-only
    expect(text.endsWith("#EXTINF:1.500000,\nseg_00003.m4s\n#EXT-X-ENDLIST\n")).toBe(true);
  });

  it("ignores a playlist caught mid-write (no trailing newline)", async () => {
    const writes: Write[] = [];
    const dir = join(out, "audio");
    await mkdir(dir);
    await writeFile(join(dir, "init.mp4"), "init");
    await writeFile(join(dir, "seg_00000.m4s"), "s");
    await writeFile(join(dir, "index.m3u8"), '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:4.0,\nseg_000');
    const publisher = new HlsPublisher({
      storage: memoryStorage(writes),
      outDir: out,
      outputs: ["audio"],
      keyPrefix: "p/",
      playlistType: "EVENT",
      segmentSeconds: 4,
      pollMs: 10,
    });
    publisher.start();
    // Several rounds read the half-written playlist before we look.
    await vi.waitFor(() => expect(publisher.polls).toBeGreaterThanOrEqual(3));
    await publisher.stop();
    expect(writes).toEqual([]);
  });

  it("one-shot VOD publishing of a complete rung; errors surface from finish()", async () => {
    await ffmpegWrote(join(out, "720p"), 2, true);
    const writes: Write[] = [];
    const [done] = await new HlsPublisher({
      storage: memoryStorage(writes),
      outDir: out,
      outputs: ["720p"],
      keyPrefix: "p/",
      playlistType: "VOD",
      segmentSeconds: 4,
    }).finish(true);
    expect(done?.segments.map((s) => s.uri)).toEqual(["seg_00000.m4s", "seg_00001.m4s"]);
    const playlist = parseMediaPlaylist(writes.at(-1)?.body ?? "");
    expect([playlist.playlistType, playlist.endList]).toEqual(["VOD", true]);

    const failing = new HlsPublisher({
      storage: memoryStorage([], /seg_00001/),
      outDir: out,
      outputs: ["720p"],
      keyPrefix: "p/",
      playlistType: "VOD",
      segmentSeconds: 4,
    });
    await expect(failing.finish(true)).rejects.toThrow(/HTTP 503/);
  });

  it("a failing live round rejects failedPromise at once (the encode can be stopped)", async () => {
    await ffmpegWrote(join(out, "240p"), 1);
    const publisher = new HlsPublisher({
      storage: memoryStorage([], /seg_00000/),
      outDir: out,
      outputs: ["240p"],
      keyPrefix: "p/",
      playlistType: "EVENT",
      segmentSeconds: 4,
      pollMs: 10,
    });
    publisher.start();
    await expect(publisher.failedPromise).rejects.toThrow(/HTTP 503/);
    await expect(publisher.finish(true)).rejects.toThrow(/HTTP 503/);
  });
});
