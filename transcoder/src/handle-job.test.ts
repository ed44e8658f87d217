/**
 * The whole pipeline against real services: s3rver (S3 API), a recording events
 * endpoint, real ffprobe/ffmpeg on generated fixtures. Checks what a player and the edge
 * will see, per fixture: the ladder, every playlist (parsed and validated), segment
 * boundaries aligned across rungs, durations, audio iff the source had it, orientation,
 * colour, trick-play, and the progressive order of publication.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TranscodeJobV1, TranscoderEvent } from "@streamline/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures, type FixtureName, TEST_FIXTURES } from "../../scripts/make-fixtures.ts";
import { HttpEventReporter } from "./events.ts";
import type { FfmpegBinaries } from "./ffmpeg/locate.ts";
import { handleJob, type JobOutcome } from "./handle-job.ts";
import { parseMediaPlaylist } from "./master-playlist.ts";
import type { HandleJobDeps } from "./pipeline/job-run.ts";
import type { ObjectStorage } from "./storage.ts";
import { type EventRecorder, startEventRecorder } from "./testing/event-recorder.ts";
import {
  getOk,
  type InspectedRendition,
  inspectRendition,
  parseThumbnailCues,
  validateMaster,
} from "./testing/hls-check.ts";
import { testVideoId, transcodeJobFor } from "./testing/jobs.ts";
import { decodeAudio, ffmpegForTests, probeStreams, toneFrequency } from "./testing/media.ts";
import { startTestS3, type TestS3 } from "./testing/s3.ts";

const SECRET = "test-secret-handle-job";
const bins = await ffmpegForTests();

let counter = 0;
function makeJob(): TranscodeJobV1 {
  counter += 1;
  return transcodeJobFor(testVideoId(String(counter).padStart(4, "0")));
}

interface StorageCall {
  at: number;
  op: "upload" | "putText";
  key: string;
  text?: string;
}

/** The real storage, with every write recorded in order (what was public, and when). */
function recording(inner: ObjectStorage, calls: StorageCall[]): ObjectStorage {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === "upload")
        return async (key: string, file: string, signal?: AbortSignal) => {
          await target.upload(key, file, signal);
          calls.push({ at: Date.now(), op: "upload", key });
        };
      if (prop === "putText")
        return async (key: string, text: string, signal?: AbortSignal) => {
          await target.putText(key, text, signal);
          calls.push({ at: Date.now(), op: "putText", key, text });
        };
      if (prop === "uploadAll")
        return async (items: { key: string; file: string }[], opts?: { signal?: AbortSignal }) => {
          for (const i of items) {
            await target.upload(i.key, i.file, opts?.signal);
            calls.push({ at: Date.now(), op: "upload", key: i.key });
          }
        };
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

interface Expectation {
  /** "name:WxH", best first (video only). */
  rungs: string[];
  durationSec: number;
  audio: boolean;
  frameRate?: string;
}

describe.skipIf(!bins)("handleJob (s3rver + real ffmpeg)", () => {
  const ffmpeg = bins as FfmpegBinaries;
  let s3: TestS3;
  let edge: EventRecorder;
  let workDir: string;
  let scratch: string;
  let fx: Record<FixtureName, string>;

  beforeAll(async () => {
    [s3, edge, fx] = await Promise.all([
      startTestS3(),
      startEventRecorder(SECRET),
      ensureFixtures(TEST_FIXTURES) as Promise<Record<FixtureName, string>>,
    ]);
    workDir = await mkdtemp(join(tmpdir(), "streamline-work-"));
    scratch = await mkdtemp(join(tmpdir(), "streamline-scratch-"));
  });
  afterAll(async () => {
    await Promise.all([s3?.close(), edge?.close()]);
    await rm(workDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  async function run(
    fixture: string,
    extra: Partial<HandleJobDeps> = {},
    opts: { seed?: boolean; job?: TranscodeJobV1 } = {},
  ) {
    const job = opts.job ?? makeJob();
    if (opts.seed !== false) await s3.put(job.source.key, await readFile(fixture), "video/mp4");
    const reporter = new HttpEventReporter({ edgeUrl: edge.url, secret: SECRET, job, node: "test-node" });
    const outcome = await handleJob(job, {
      storage: s3.storage,
      reporter,
      ffmpeg,
      workDir,
      encoder: { preset: "veryfast" },
      limits: { threads: 2 },
      heartbeatMs: 1000,
      publishPollMs: 100,
      ...extra,
    });
    const events = edge.events.filter((e) => e.attemptId === job.attemptId);
    return { job, outcome, events };
  }

  function expectDone(outcome: JobOutcome): asserts outcome is Extract<JobOutcome, { status: "done" }> {
    if (outcome.status !== "done") throw new Error(`job failed: ${outcome.reason}`);
  }

  function expectOrdered(events: TranscoderEvent[]) {
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  }

  /**
   * Everything a player and the edge rely on, for any fixture. Returns the inspected
   * video rungs (best first) and the audio rendition.
   */
  async function verify(
    job: TranscodeJobV1,
    outcome: JobOutcome,
    events: TranscoderEvent[],
    exp: Expectation,
  ) {
    expectDone(outcome);
    const prefix = job.outputPrefix;
    const videos = outcome.renditions.filter((r) => r.kind === "video");
    expect(videos.map((r) => `${r.name}:${r.width}x${r.height}`)).toEqual(exp.rungs);
    const audio = outcome.renditions.find((r) => r.kind === "audio");
    expect(!!audio, "audio rendition iff the source has audio").toBe(exp.audio);
    if (audio) expect(audio).toMatchObject({ name: "audio", width: 0, height: 0, codecs: "mp4a.40.2" });

    // The final master: valid, one variant per rung (+ audio-only), CODECS from the real init.
    expect(outcome.masterKey).toBe(`${prefix}master.m3u8`);
    const masterRes = await getOk(s3, outcome.masterKey);
    expect(masterRes.headers.get("cache-control")).toBe("no-cache");
    const master = validateMaster(await masterRes.text());
    expect(master.variants).toHaveLength(videos.length + (exp.audio ? 1 : 0));
    expect(master.media.map((m) => m.attributes.TYPE)).toEqual(exp.audio ? ["AUDIO"] : []);
    if (exp.audio) {
      const audioOnly = master.variants.at(-1);
      expect(audioOnly?.attributes.CODECS).toBe("mp4a.40.2");
      expect(audioOnly?.uri).toBe("audio/index.m3u8");
    }

    const inspected: InspectedRendition[] = [];
    for (const r of videos) {
      const variant = master.variants.find((v) => v.uri === r.playlist);
      expect(variant, r.name).toBeDefined();
      expect(Number(variant?.attributes.BANDWIDTH)).toBe(r.bandwidth);
      expect(variant?.attributes.RESOLUTION).toBe(`${r.width}x${r.height}`);
      if (exp.frameRate) expect(variant?.attributes["FRAME-RATE"]).toBe(exp.frameRate);
      const got = await inspectRendition(s3, ffmpeg.ffprobe, scratch, prefix, r.playlist, "video");
      expect(got.playlist.endList).toBe(true);
      expect(Math.abs(got.totalSec - exp.durationSec), `${r.name} duration`).toBeLessThan(0.25);
      expect(r.codecs).toBe(exp.audio ? `${got.initCodec},mp4a.40.2` : got.initCodec);
      // Video segments carry video only (audio is the shared rendition), right size, 8-bit 4:2:0.
      expect(got.streams.map((s) => s.codec_type)).toEqual(["video"]);
      const v = got.streams[0];
      expect([v?.width, v?.height]).toEqual([r.width, r.height]);
      expect(v?.pix_fmt).toBe("yuv420p");
      expect(JSON.stringify(v)).not.toMatch(/Display Matrix|"rotation"/);
      inspected.push(got);
    }
    // Aligned segment boundaries: identical keyframe times at every segment start, all rungs.
    for (const got of inspected) expect(got.starts, got.uri).toEqual(inspected[0]?.starts);

    let audioInspected: InspectedRendition | undefined;
    if (audio) {
      audioInspected = await inspectRendition(s3, ffmpeg.ffprobe, scratch, prefix, audio.playlist, "audio");
      expect(Math.abs(audioInspected.totalSec - exp.durationSec)).toBeLessThan(0.25);
      expect(
        audioInspected.streams.map((s) => [s.codec_type, s.codec_name, s.channels, s.sample_rate]),
      ).toEqual([["audio", "aac", 2, "48000"]]);
    }

    // Trick-play: every cue inside its sprite image, cues cover the whole duration.
    const tp = outcome.trickplay;
    expect(tp, "trick-play generated").toBeDefined();
    if (tp) {
      const vtt = await (await getOk(s3, tp.vttKey)).text();
      const cues = parseThumbnailCues(vtt);
      expect(cues.length).toBe(Math.ceil(exp.durationSec / tp.intervalSec - 0.01));
      expect(cues[0]?.start).toBe(0);
      expect(Math.abs((cues.at(-1)?.end ?? 0) - exp.durationSec)).toBeLessThan(0.25);
      const sizes = new Map<string, { width: number; height: number }>();
      for (const key of tp.spriteKeys) {
        const res = await getOk(s3, key);
        expect(res.headers.get("content-type")).toBe("image/jpeg");
        const file = join(scratch, `${prefix.replace(/\W/g, "_")}${key.split("/").pop()}`);
        await writeFile(file, new Uint8Array(await res.arrayBuffer()));
        const [s] = await probeStreams(ffmpeg.ffprobe, file);
        sizes.set(key.split("/").pop() as string, { width: Number(s?.width), height: Number(s?.height) });
      }
      for (const c of cues) {
        const size = sizes.get(c.file);
        expect(size, `${c.file} is published`).toBeDefined();
        expect(c.w).toBe(160);
        expect(c.x + c.w).toBeLessThanOrEqual(size?.width ?? 0);
        expect(c.y + c.h).toBeLessThanOrEqual(size?.height ?? 0);
      }
    }

    // Events: ordered and valid; playable (rendition) strictly before done.
    expectOrdered(events);
    expect(edge.rejected).toEqual([]);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("heartbeat");
    expect(types.at(-1)).toBe("done");
    expect(types.indexOf("rendition")).toBeGreaterThan(types.indexOf("probed"));
    expect(types.indexOf("rendition")).toBeLessThan(types.indexOf("done"));
    const done = events.at(-1);
    if (done?.type === "done") {
      expect(done.renditions).toEqual(outcome.renditions);
      expect(done.audioOnly).toBe(exp.audio);
      expect(done.trickplay).toEqual(outcome.trickplay);
      expect(done.masterKey).toBe(outcome.masterKey);
    }
    // Every rendition event points at a master that exists and lists that rendition.
    for (const e of events) {
      if (e.type !== "rendition") continue;
      const text = await (await getOk(s3, e.masterKey)).text();
      expect(text).toContain(e.rendition.playlist);
    }
    expect(await readdir(workDir)).toEqual([]);
    return { inspected, audio: audioInspected };
  }

  it("1080p: full ladder, published progressively (low rung playable while the rest encode)", async () => {
    const calls: StorageCall[] = [];
    const job = makeJob();
    const pending = run(
      fx["landscape-1080p-6s.mp4"],
      { storage: recording(s3.storage, calls), firstPublishSegments: 1 },
      { job },
    );
    // As soon as the edge hears "rendition", a player can fetch the first master and the low rung.
    await edge.waitFor(
      (evs) => evs.some((e) => e.attemptId === job.attemptId && e.type === "rendition"),
      60_000,
    );
    const first = edge.events.find((e) => e.attemptId === job.attemptId && e.type === "rendition");
    expect(first?.type === "rendition" && first.rendition.name).toBe("240p");
    const firstMaster = first?.type === "rendition" ? first.masterKey : "";
    expect(firstMaster).toBe(`${job.outputPrefix}master-1.m3u8`);
    const master1 = validateMaster(await (await getOk(s3, firstMaster)).text());
    expect(master1.variants.map((v) => v.uri)).toEqual(["240p/index.m3u8", "audio/index.m3u8"]);
    const low = parseMediaPlaylist(await (await getOk(s3, `${job.outputPrefix}240p/index.m3u8`)).text());
    expect(low.playlistType).toBe("EVENT");
    for (const seg of low.segments) await getOk(s3, `${job.outputPrefix}240p/${seg.uri}`);
    // …while the higher rungs are still being encoded: not published, not done.
    expect((await s3.client.fetch(s3.url(`${job.outputPrefix}1080p/index.m3u8`))).status).toBe(404);
    expect(edge.events.some((e) => e.attemptId === job.attemptId && e.type === "done")).toBe(false);

    const { outcome, events } = await pending;
    const { inspected } = await verify(job, outcome, events, {
      rungs: ["1080p:1920x1080", "720p:1280x720", "480p:854x480", "360p:640x360", "240p:426x240"],
      durationSec: 6,
      audio: true,
      frameRate: "30.000",
    });
    expect(inspected.map((r) => r.starts.length)).toEqual([2, 2, 2, 2, 2]);

    // Publication order, as storage saw it: the low rung's EVENT playlist went up without
    // ENDLIST, then master-1 (playable), then ENDLIST; segments always before the playlist
    // that lists them; the final master last.
    const lowPlaylist = calls.filter((c) => c.key.endsWith("240p/index.m3u8"));
    expect(lowPlaylist[0]?.text).not.toContain("#EXT-X-ENDLIST");
    expect(lowPlaylist.at(-1)?.text).toContain("#EXT-X-ENDLIST");
    const idx = (pred: (c: StorageCall) => boolean) => calls.findIndex(pred);
    expect(idx((c) => c.key.endsWith("master-1.m3u8"))).toBeGreaterThan(idx((c) => c === lowPlaylist[0]));
    expect(idx((c) => c.key.endsWith("master-1.m3u8"))).toBeLessThan(idx((c) => c === lowPlaylist.at(-1)));
    for (const [i, c] of calls.entries()) {
      if (!c.text || !c.key.endsWith("/index.m3u8")) continue;
      const dir = c.key.slice(0, c.key.lastIndexOf("/") + 1);
      for (const seg of parseMediaPlaylist(c.text).segments) {
        expect(
          idx((u) => u.key === `${dir}${seg.uri}`),
          `${dir}${seg.uri} before its playlist`,
        ).toBeLessThan(i);
      }
    }
    expect(calls.at(-1)?.key).toBe(`${job.outputPrefix}master.m3u8`);
    const masters = calls
      .filter((c) => /master(-\d+)?\.m3u8$/.test(c.key))
      .map((c) => c.key.split("/").pop());
    expect(masters).toEqual([
      "master-1.m3u8",
      "master-2.m3u8",
      "master-3.m3u8",
      "master-4.m3u8",
      "master-5.m3u8",
      "master.m3u8",
    ]);
    // Rendition events: low rung + audio first, then smallest to largest.
    expect(
      events
        .filter((e) => e.type === "rendition")
        .map((e) => (e.type === "rendition" ? e.rendition.name : "")),
    ).toEqual(["240p", "audio", "360p", "480p", "720p", "1080p"]);
    const poster = await getOk(s3, outcome.status === "done" ? (outcome.posterKey ?? "") : "");
    expect([...new Uint8Array(await poster.arrayBuffer()).subarray(0, 2)]).toEqual([0xff, 0xd8]);
    // The srcset widths (ADR 0033) beside it, and in the done event.
    const sizes = outcome.status === "done" ? outcome.posterSizes : [];
    expect(sizes.map((x) => `${x.width}x${x.height}`)).toEqual(["320x180", "640x360", "1280x720"]);
    expect(events.find((e) => e.type === "done")).toMatchObject({ posterSizes: sizes });
  });

  it("portrait 720x1280 stays portrait", async () => {
    const { job, outcome, events } = await run(fx["portrait-720x1280-4s.mp4"]);
    await verify(job, outcome, events, {
      rungs: ["720p:720x1280", "480p:480x854", "360p:360x640", "240p:240x426"],
      durationSec: 4,
      audio: true,
    });
  });

  it("480p source → 480/360/240 only; poster sizes 320/640 and its own 854, never 1280", async () => {
    const { job, outcome, events } = await run(fx["sd-854x480-4s.mp4"]);
    const sizes = outcome.status === "done" ? outcome.posterSizes : [];
    expect(sizes).toEqual([
      { key: `${job.outputPrefix}poster-320.webp`, width: 320, height: 180 },
      { key: `${job.outputPrefix}poster-640.webp`, width: 640, height: 360 },
      { key: `${job.outputPrefix}poster-854.webp`, width: 854, height: 480 },
    ]);
    for (const size of sizes) {
      const res = await getOk(s3, size.key);
      expect(res.headers.get("content-type")).toBe("image/webp");
      const file = join(scratch, `check-${size.width}.webp`);
      await writeFile(file, new Uint8Array(await res.arrayBuffer()));
      const [stream] = await probeStreams(ffmpeg.ffprobe, file);
      await rm(file);
      expect([stream?.codec_name, Number(stream?.width), Number(stream?.height)]).toEqual([
        "webp",
        size.width,
        size.height,
      ]);
    }
    expect(events.find((e) => e.type === "done")).toMatchObject({ posterSizes: sizes });
    await verify(job, outcome, events, {
      rungs: ["480p:854x480", "360p:640x360", "240p:428x240"],
      durationSec: 4,
      audio: true,
    });
  });

  it("no audio → no audio group, video-only CODECS, audioOnly false", async () => {
    const { job, outcome, events } = await run(fx["noaudio-640x360-4s.mp4"]);
    await verify(job, outcome, events, {
      rungs: ["360p:640x360", "240p:426x240"],
      durationSec: 4,
      audio: false,
    });
    if (outcome.status === "done")
      for (const r of outcome.renditions) expect(r.codecs).toMatch(/^avc1\.[0-9a-f]{6}$/);
  });

  it("10-bit HDR10 HEVC → tone-mapped 8-bit BT.709 H.264", async () => {
    const { job, outcome, events } = await run(fx["hdr10-hevc-640x360-2s.mp4"]);
    const { inspected } = await verify(job, outcome, events, {
      rungs: ["360p:640x360", "240p:426x240"],
      durationSec: 2,
      audio: false,
      frameRate: "25.000",
    });
    for (const r of inspected) {
      expect(r.streams[0]).toMatchObject({ codec_name: "h264", pix_fmt: "yuv420p", color_transfer: "bt709" });
    }
  });

  it("rotated phone video (display matrix) → portrait rungs without a leftover matrix", async () => {
    const { job, outcome, events } = await run(fx["rotated-90-4s.mp4"]);
    await verify(job, outcome, events, {
      rungs: ["360p:360x640", "240p:240x426"],
      durationSec: 4,
      audio: true,
    });
  });

  it("variable frame rate → constant frame rate at the average", async () => {
    const { job, outcome, events } = await run(fx["vfr-640x360-4s.mp4"]);
    const { inspected } = await verify(job, outcome, events, {
      rungs: ["360p:640x360", "240p:426x240"],
      durationSec: 4,
      audio: true,
      frameRate: "28.000",
    });
    for (const r of inspected) {
      const pts = r.packets.map((p) => p.ptsSec).sort((a, b) => a - b);
      const deltas = pts.slice(1).map((t, i) => t - (pts[i] as number));
      for (const d of deltas) expect(d).toBeCloseTo(1 / 28, 3);
    }
  });

  it("2-second clip → one segment, playable (published complete) before done", async () => {
    const { job, outcome, events } = await run(fx["clip-640x360-2s.mp4"]);
    const { inspected } = await verify(job, outcome, events, {
      rungs: ["360p:640x360", "240p:426x240"],
      durationSec: 2,
      audio: true,
    });
    expect(inspected.map((r) => r.starts.length)).toEqual([1, 1]);
  });

  it("several audio tracks → the default one (not the first) becomes the audio rendition", async () => {
    const { job, outcome, events } = await run(fx["multiaudio-640x360-2s.mp4"]);
    const { audio } = await verify(job, outcome, events, {
      rungs: ["360p:640x360", "240p:426x240"],
      durationSec: 2,
      audio: true,
    });
    const seg = audio?.playlist.segments[0]?.uri ?? "";
    const file = join(scratch, `${job.outputPrefix.replace(/\W/g, "_")}audio_${seg}.mp4`);
    const hz = toneFrequency(await decodeAudio(ffmpeg.ffmpeg, file, 1));
    expect(Math.abs(hz - 880)).toBeLessThan(30);
  });

  it("EXTRA_CODECS hevc,av1 → extra ladders with CODECS from their init segments", async () => {
    const { job, outcome, events } = await run(fx["clip-640x360-2s.mp4"], {
      encoder: { preset: "veryfast", extraCodecs: ["hevc", "av1"] },
    });
    expectDone(outcome);
    const names = outcome.renditions.map((r) => r.name);
    expect(names).toEqual(["360p", "240p", "360p-hevc", "240p-hevc", "360p-av1", "240p-av1", "audio"]);
    const master = validateMaster(await (await getOk(s3, outcome.masterKey)).text());
    // H.264 first (every client), the extra ladders after it.
    expect(master.variants.map((v) => v.uri.split("/")[0])).toEqual([
      "360p",
      "240p",
      "360p-hevc",
      "240p-hevc",
      "360p-av1",
      "240p-av1",
      "audio",
    ]);
    const starts: number[][] = [];
    for (const r of outcome.renditions.filter((x) => x.kind === "video")) {
      const got = await inspectRendition(s3, ffmpeg.ffprobe, scratch, job.outputPrefix, r.playlist, "video");
      expect(r.codecs).toBe(`${got.initCodec},mp4a.40.2`);
      const codec = got.streams[0]?.codec_name;
      if (r.name.endsWith("-hevc")) {
        expect(codec).toBe("hevc");
        expect(got.streams[0]?.codec_tag_string).toBe("hvc1");
        expect(r.codecs).toMatch(/^hvc1\.1\.6\.L\d+\.[0-9A-F]+/);
      } else if (r.name.endsWith("-av1")) {
        expect(codec).toBe("av1");
        expect(r.codecs).toMatch(/^av01\.0\.\d\dM\.08,/);
      } else expect(codec).toBe("h264");
      expect([got.streams[0]?.width, got.streams[0]?.height]).toEqual([r.width, r.height]);
      starts.push(got.starts.map((s) => Math.round(s)));
    }
    // Same 2 s GOP grid in every codec (PTS offsets differ by the codecs' reorder delay).
    for (const s of starts) expect(s).toEqual(starts[0]);
    expect(events.at(-1)?.type).toBe("done");
  });

  it("phase 1 reading the presigned URL fails before anything is stored → same encode from the download", async () => {
    // A stand-in for storage's HTTP endpoint that stops answering once the source is probed.
    let broken = false;
    const proxy = createServer(async (req, res) => {
      if (broken) {
        res.writeHead(500).end("storage hiccup");
        return;
      }
      const key = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname.slice(1));
      const upstream = await s3.client.fetch(s3.url(key), {
        headers: req.headers.range ? { range: req.headers.range } : {},
      });
      const headers: Record<string, string> = {};
      for (const h of ["content-type", "content-length", "content-range", "accept-ranges"]) {
        const v = upstream.headers.get(h);
        if (v) headers[h] = v;
      }
      res.writeHead(upstream.status, headers).end(new Uint8Array(await upstream.arrayBuffer()));
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const port = (proxy.address() as AddressInfo).port;
    try {
      const storage: ObjectStorage = new Proxy(s3.storage, {
        get(target, prop) {
          if (prop === "presignGet") return async (key: string) => `http://127.0.0.1:${port}/${key}`;
          const value: unknown = Reflect.get(target, prop, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      const job = makeJob();
      await s3.put(job.source.key, await readFile(fx["clip-640x360-2s.mp4"]), "video/mp4");
      const inner = new HttpEventReporter({ edgeUrl: edge.url, secret: SECRET, job, node: "test-node" });
      const reporter = new Proxy(inner, {
        get(target, prop) {
          if (prop === "probed")
            return (p: Parameters<HttpEventReporter["probed"]>[0]) => {
              broken = true;
              target.probed(p);
            };
          const value: unknown = Reflect.get(target, prop, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      const outcome = await handleJob(job, {
        storage,
        reporter,
        ffmpeg,
        workDir,
        encoder: { preset: "veryfast" },
        limits: { threads: 2 },
        heartbeatMs: 1000,
      });
      expect(broken).toBe(true);
      const events = edge.events.filter((e) => e.attemptId === job.attemptId);
      await verify(job, outcome, events, {
        rungs: ["360p:640x360", "240p:426x240"],
        durationSec: 2,
        audio: true,
      });
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it("not a video → failed, not retryable, human reason, nothing published", async () => {
    const { job, outcome, events } = await run(fx["not-a-video.mp4"]);
    expect(outcome).toEqual({
      status: "failed",
      retryable: false,
      code: "not_a_video",
      reason:
        "not a playable video: not a recognised video file (ffprobe: Invalid data found when processing input)",
    });
    expect(events.at(-1)).toMatchObject({
      type: "failed",
      retryable: false,
      code: "not_a_video",
      reason: outcome.status === "failed" ? outcome.reason : "",
    });
    expectOrdered(events);
    expect((await s3.client.fetch(s3.url(`${job.outputPrefix}master.m3u8`))).status).toBe(404);
    expect(await readdir(workDir)).toEqual([]);
  });

  it("truncated upload → failed with 'corrupt or truncated'", async () => {
    const { outcome } = await run(fx["corrupt-truncated.mp4"]);
    expect(outcome).toMatchObject({ status: "failed", retryable: false, code: "corrupt_file" });
    if (outcome.status === "failed")
      expect(outcome.reason).toMatch(/^not a playable video: file is corrupt or truncated/);
  });

  it("missing source object → failed, not retryable", async () => {
    const { outcome } = await run(fx["not-a-video.mp4"], {}, { seed: false });
    expect(outcome).toMatchObject({ status: "failed", retryable: false, code: "source_missing" });
    if (outcome.status === "failed") expect(outcome.reason).toBe("the uploaded file is no longer in storage");
  });

  it("not enough scratch disk → failed, retryable, clear reason, before any download", async () => {
    const { outcome, events } = await run(fx["clip-640x360-2s.mp4"], { limits: { diskHeadroom: 1e9 } });
    expect(outcome).toMatchObject({ status: "failed", retryable: true });
    if (outcome.status === "failed") {
      expect(outcome.reason).toMatch(
        /^not enough scratch disk on this transcoder node: need .* GiB \(1000000000× the .* source\), .* GiB free$/,
      );
    }
    expect(events.some((e) => e.type === "progress" && e.stage === "download")).toBe(false);
  });

  it("address-space cap too small → ffprobe (capped like every encode) fails retryably, with its last words", async () => {
    const { outcome } = await run(fx["clip-640x360-2s.mp4"], { limits: { memoryBytes: 64 * 1024 * 1024 } });
    expect(outcome).toMatchObject({ status: "failed", code: "transcode_error" });
    if (outcome.status === "failed") {
      expect(outcome.reason).toMatch(/ffprobe exited with code \d+: .*(shared libraries|memory|allocate)/i);
      // Resource exhaustion is the node's problem, not the upload's.
      expect(outcome.retryable).toBe(true);
    }
    expect(await readdir(workDir)).toEqual([]);
  });

  it("cancellation mid-encode → failed, retryable, every ffmpeg stopped, temp dir removed", async () => {
    const ac = new AbortController();
    const job = makeJob();
    const pending = run(fx["landscape-1080p-6s.mp4"], { signal: ac.signal }, { job });
    await edge.waitFor((evs) =>
      evs.some((e) => e.attemptId === job.attemptId && e.type === "progress" && e.stage === "encode"),
    );
    ac.abort(new Error("transcoder shutting down: job released for another node"));
    const { outcome, events } = await pending;
    expect(outcome).toEqual({
      status: "failed",
      retryable: true,
      code: "transcode_error",
      reason: "transcoder shutting down: job released for another node",
    });
    expect(events.at(-1)).toMatchObject({ type: "failed", retryable: true });
    expect(await readdir(workDir)).toEqual([]);
  });
});
