import { backoffDelay, type WsMessage } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { ApiError, type VideoDto } from "./api.ts";
import {
  createLiveProgress,
  initialLiveState,
  type LiveEvent,
  type LiveProgressDeps,
  type LiveProgressOptions,
  mergeMessage,
  mergeVideo,
  RECONNECT_BACKOFF,
  type SocketHandlers,
} from "./live-progress.ts";
import { videoDto } from "./testing/video-dto.ts";
import { parseWsFrame } from "./ws-frame.ts";

const VIDEO_ID = "v_0000000000000001";

/** setTimeout/clearTimeout on a clock the test moves by hand. */
function fakeClock() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout(fn: () => void, ms: number) {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(handle: unknown) {
      timers.delete(handle as number);
    },
    pending: () => timers.size,
    /** Runs every timer due within `ms`, in order, letting promises settle in between. */
    async advance(ms: number) {
      const until = now + ms;
      for (;;) {
        await flush();
        const due = [...timers.entries()]
          .filter(([, t]) => t.at <= until)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
      await flush();
    },
  };
}

async function flush() {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

class FakeSocket {
  sent: string[] = [];
  closed: { code?: number | undefined; reason?: string | undefined } | null = null;
  constructor(
    readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}
  get ticket() {
    return new URL(this.url).searchParams.get("ticket");
  }
  open() {
    this.handlers.onOpen();
  }
  receive(message: WsMessage | string) {
    this.handlers.onMessage(typeof message === "string" ? message : JSON.stringify(message));
  }
  serverClose(code = 1006) {
    this.handlers.onClose(code, "");
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number, reason?: string) {
    this.closed = { code, reason };
  }
}

/** A video still transcoding, nothing playable yet. */
function video(patch: Partial<VideoDto> = {}): VideoDto {
  return videoDto({ id: VIDEO_ID, status: "processing", playable: false, ...patch });
}

const rendition = (name: string, height: number) => ({
  name,
  kind: "video" as const,
  width: Math.round((height * 16) / 9),
  height,
  bandwidth: height * 4000,
  averageBandwidth: height * 3000,
  codecs: "avc1.64001f,mp4a.40.2",
  frameRate: 30,
  playlist: `${name}/index.m3u8`,
});

function harness(
  opts: LiveProgressOptions & {
    ticketError?: (n: number) => Error | null;
    video?: () => VideoDto | Error;
    random?: number;
  } = {},
) {
  const clock = fakeClock();
  const sockets: FakeSocket[] = [];
  let tickets = 0;
  const videoReads: string[] = [];
  const events: LiveEvent[] = [];
  const deps: LiveProgressDeps = {
    async requestTicket() {
      const n = ++tickets;
      const error = opts.ticketError?.(n);
      if (error) throw error;
      return { ticket: `ticket-${n}` };
    },
    async getVideo(id) {
      videoReads.push(id);
      const v = opts.video?.() ?? video();
      if (v instanceof Error) throw v;
      return v;
    },
    socketUrl: (id, ticket) => `ws://edge.test/ws/videos/${id}?ticket=${ticket}`,
    openSocket(url, handlers) {
      const socket = new FakeSocket(url, handlers);
      sockets.push(socket);
      return socket;
    },
    loadParser: async () => parseWsFrame,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    random: () => opts.random ?? 1,
  };
  const live = createLiveProgress(VIDEO_ID, deps, opts);
  live.subscribe((_state, event) => events.push(event));
  return {
    live,
    clock,
    sockets,
    events,
    videoReads,
    tickets: () => tickets,
    last: () => sockets.at(-1)!,
    connections: () => events.flatMap((e) => (e.type === "connection" ? [e.state] : [])),
  };
}

describe("backoffDelay", () => {
  it("doubles from 1 s, caps at 15 s, and keeps at least half of each step (equal jitter)", () => {
    const delay = (attempt: number, random: number) => backoffDelay(attempt, RECONNECT_BACKOFF, () => random);
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => delay(n, 1))).toEqual([
      1000, 2000, 4000, 8000, 15000, 15000, 15000,
    ]);
    expect([0, 1, 2, 3, 4].map((n) => delay(n, 0))).toEqual([500, 1000, 2000, 4000, 7500]);
    for (let i = 0; i < 50; i++) {
      const d = delay(3, Math.random());
      expect(d).toBeGreaterThanOrEqual(4000);
      expect(d).toBeLessThanOrEqual(8000);
    }
    expect(delay(1_000, 1)).toBe(15000);
  });
});

describe("live progress connection", () => {
  it("connects with a ticket, reports connecting → open, and applies the server's snapshot", async () => {
    const h = harness();
    expect(h.live.state.connection).toBe("connecting");
    h.live.start();
    await flush();
    expect(h.sockets).toHaveLength(1);
    expect(h.last().url).toBe(`ws://edge.test/ws/videos/${VIDEO_ID}?ticket=ticket-1`);
    h.last().open();
    h.last().receive({ type: "status", status: "processing", playable: false });
    h.last().receive({ type: "progress", stage: "encode", percent: 42, fps: 88, speed: 2.9, etaSec: 7 });

    expect(h.connections()).toEqual(["open"]);
    expect(h.live.state).toMatchObject({
      connection: "open",
      status: "processing",
      job: { stage: "encode", percent: 42, fps: 88, speed: 2.9, etaSec: 7 },
    });
    // The first open needs no re-read: the page just loaded the video.
    expect(h.videoReads).toEqual([]);
  });

  it("fetches a new ticket for every reconnect and resyncs with the API after it", async () => {
    const h = harness({
      video: () => video({ playable: true, renditions: [rendition("360p", 360)] }),
    });
    h.live.start();
    await flush();
    h.last().open();
    h.last().serverClose(1006);
    expect(h.live.state.connection).toBe("reconnecting");

    await h.clock.advance(1000);
    expect(h.sockets).toHaveLength(2);
    expect(h.last().ticket).toBe("ticket-2");
    h.last().open();
    await flush();
    expect(h.videoReads).toEqual([VIDEO_ID]);
    expect(h.live.state.playable).toBe(true);
    expect(h.live.state.renditions.map((r) => [r.name, r.ready])).toEqual([["360p", true]]);
    expect(h.events.some((e) => e.type === "video" && e.reason === "resync")).toBe(true);
    expect(h.connections()).toEqual(["open", "reconnecting", "open"]);
  });

  it("backs off exponentially while attempts keep failing, and resets after a stable connection", async () => {
    const h = harness({ pollAfterFailures: 100 });
    h.live.start();
    await flush();
    const gaps: number[] = [];
    // Four attempts refused at the upgrade (a browser only sees the socket close).
    for (let i = 0; i < 4; i++) {
      const before = h.sockets.length;
      h.last().serverClose(1006);
      let waited = 0;
      while (h.sockets.length === before) {
        await h.clock.advance(100);
        waited += 100;
      }
      gaps.push(waited);
    }
    expect(gaps).toEqual([1000, 2000, 4000, 8000]);

    // Open, stay up past the stable threshold, drop: back to the first step.
    h.last().open();
    await h.clock.advance(10_000);
    h.last().serverClose(1001);
    await h.clock.advance(999);
    expect(h.sockets).toHaveLength(5);
    await h.clock.advance(1);
    expect(h.sockets).toHaveLength(6);
  });

  it("keeps growing the backoff when connections drop before they are stable", async () => {
    const h = harness();
    h.live.start();
    await flush();
    h.last().open();
    h.last().serverClose(1006); // attempt 0 → 1 s
    await h.clock.advance(1000);
    h.last().open();
    await h.clock.advance(3000); // not yet stable
    h.last().serverClose(1006); // attempt 1 → 2 s
    await h.clock.advance(1999);
    expect(h.sockets).toHaveLength(2);
    await h.clock.advance(1);
    expect(h.sockets).toHaveLength(3);
  });

  it("pings every 25 s and reconnects when even the pong does not come back", async () => {
    const h = harness();
    h.live.start();
    await flush();
    const first = h.last();
    first.open();
    await h.clock.advance(25_000);
    expect(first.sent).toEqual(["ping"]);
    first.receive("pong");
    await h.clock.advance(25_000);
    expect(first.sent).toEqual(["ping", "ping"]);
    expect(h.sockets).toHaveLength(1);

    // No answer to the second ping: give up on this socket without waiting for `close`.
    await h.clock.advance(10_000);
    expect(first.closed).not.toBeNull();
    expect(h.live.state.connection).toBe("reconnecting");
    await h.clock.advance(1000);
    expect(h.sockets).toHaveLength(2);
    expect(h.last().ticket).toBe("ticket-2");
  });

  it("treats any frame as a sign of life", async () => {
    const h = harness();
    h.live.start();
    await flush();
    h.last().open();
    await h.clock.advance(25_000);
    h.last().receive({ type: "progress", stage: "encode", percent: 10 });
    await h.clock.advance(10_000);
    expect(h.sockets).toHaveLength(1);
    expect(h.live.state.connection).toBe("open");
  });

  it("gives up on a socket that never opens", async () => {
    const h = harness();
    h.live.start();
    await flush();
    await h.clock.advance(10_000);
    expect(h.sockets[0]!.closed).not.toBeNull();
    await h.clock.advance(1000);
    expect(h.sockets).toHaveLength(2);
  });

  it("ignores frames and closes from a socket it already replaced", async () => {
    const h = harness();
    h.live.start();
    await flush();
    const old = h.last();
    old.open();
    old.serverClose(1006);
    await h.clock.advance(1000);
    h.last().open();
    old.receive({ type: "status", status: "failed", playable: false, failureReason: "stale" });
    old.serverClose(4404);
    expect(h.live.state.status).toBeNull();
    expect(h.live.state.terminal).toBeNull();
    expect(h.live.state.connection).toBe("open");
  });

  it("ignores frames that don't match the contract", async () => {
    const h = harness();
    h.live.start();
    await flush();
    h.last().open();
    h.last().receive("not json");
    h.last().receive(JSON.stringify({ type: "progress", percent: "lots" }));
    h.last().receive(JSON.stringify({ type: "gossip" }));
    expect(h.events.filter((e) => e.type === "message")).toEqual([]);
    expect(h.live.state.connection).toBe("open");
  });

  it.each([
    ["ready", [{ type: "status", status: "ready", playable: true }, { type: "ready" }]],
    ["failed", [{ type: "failed", reason: "not a playable video" }]],
  ] as const)("stops for good on %s", async (terminal, frames) => {
    const h = harness();
    h.live.start();
    await flush();
    const socket = h.last();
    socket.open();
    for (const frame of frames) socket.receive(frame as WsMessage);
    expect(h.live.state.terminal).toBe(terminal);
    expect(h.live.state.connection).toBe("closed");
    expect(socket.closed).toEqual({ code: 1000, reason: "done" });
    expect(h.clock.pending()).toBe(0);
    await h.clock.advance(60_000);
    expect(h.sockets).toHaveLength(1);
  });

  it("stops when the video is deleted (close 4404)", async () => {
    const h = harness();
    h.live.start();
    await flush();
    h.last().open();
    h.last().serverClose(4404);
    expect(h.live.state.terminal).toBe("gone");
    expect(h.events.some((e) => e.type === "gone")).toBe(true);
    expect(h.live.state.connection).toBe("closed");
    await h.clock.advance(60_000);
    expect(h.sockets).toHaveLength(1);
  });

  it("stops without reconnecting when the video is made private under it (close 4403)", async () => {
    const h = harness();
    h.live.start();
    await flush();
    h.last().open();
    h.last().serverClose(4403);
    expect(h.live.state.terminal).toBe("gone");
    expect(h.live.state.connection).toBe("closed");
    await h.clock.advance(60_000);
    expect(h.sockets).toHaveLength(1);
  });

  it("stops when the ticket endpoint says the video does not exist", async () => {
    const h = harness({ ticketError: () => new ApiError(404, "not_found", "no such video") });
    h.live.start();
    await flush();
    expect(h.sockets).toHaveLength(0);
    expect(h.live.state.terminal).toBe("gone");
    expect(h.live.state.connection).toBe("closed");
  });

  it("retries a failed ticket request with backoff", async () => {
    const h = harness({ ticketError: (n) => (n === 1 ? new ApiError(0, "network_error", "offline") : null) });
    h.live.start();
    await flush();
    expect(h.sockets).toHaveLength(0);
    expect(h.live.state.connection).toBe("reconnecting");
    await h.clock.advance(1000);
    expect(h.sockets).toHaveLength(1);
    expect(h.last().ticket).toBe("ticket-2");
  });

  it("polls slowly only while no socket can be opened, and stops polling once one does", async () => {
    const h = harness({ video: () => video({ status: "processing" }) });
    h.live.start();
    await flush();
    h.last().serverClose(1006); // failure 1
    expect(h.live.state.polling).toBe(false);
    await h.clock.advance(1000);
    h.last().serverClose(1006); // failure 2 → poll now, then every 10 s
    await flush();
    expect(h.live.state.polling).toBe(true);
    expect(h.videoReads).toHaveLength(1);
    await h.clock.advance(2000); // third attempt starts (and hangs)
    await h.clock.advance(8000);
    expect(h.videoReads).toHaveLength(2);
    expect(h.events.filter((e) => e.type === "video" && e.reason === "poll")).toHaveLength(2);

    h.last().open();
    expect(h.live.state.polling).toBe(false);
    await h.clock.advance(30_000);
    // The first socket that opens brings the snapshot; nothing more to read.
    expect(h.videoReads).toHaveLength(2);
  });

  it("ends when a poll finds the video finished", async () => {
    const h = harness({ video: () => video({ status: "ready", playable: true }) });
    h.live.start();
    await flush();
    h.last().serverClose(1006);
    await h.clock.advance(1000);
    h.last().serverClose(1006);
    await flush();
    expect(h.live.state.terminal).toBe("ready");
    expect(h.live.state.connection).toBe("closed");
    expect(h.clock.pending()).toBe(0);
  });

  it("does not connect at all for a video that is already finished", async () => {
    const h = harness({ initial: video({ status: "ready", playable: true }) });
    h.live.start();
    await flush();
    expect(h.sockets).toHaveLength(0);
    expect(h.live.state.connection).toBe("closed");
  });

  it("stop() closes the socket and cancels every timer", async () => {
    const h = harness();
    h.live.start();
    await flush();
    h.last().open();
    h.live.stop();
    expect(h.last().closed).not.toBeNull();
    expect(h.live.state.connection).toBe("closed");
    expect(h.clock.pending()).toBe(0);
  });
});

describe("state merge", () => {
  const p = (percent: number, extra: Partial<WsMessage & { type: "progress" }> = {}): WsMessage => ({
    type: "progress",
    stage: "encode",
    percent,
    ...extra,
  });

  it("keeps whole-job progress and per-rendition rows apart, in the order renditions appear", () => {
    let s = initialLiveState();
    s = mergeMessage(s, { type: "status", status: "processing", playable: false });
    s = mergeMessage(s, p(30, { fps: 60, speed: 2, etaSec: 9 }));
    s = mergeMessage(s, { type: "rendition", rendition: rendition("240p", 240) });
    s = mergeMessage(s, p(81, { stage: "upload", rendition: "240p" }));
    s = mergeMessage(s, p(84, { stage: "upload", rendition: "480p" }));
    expect(s.job).toMatchObject({ percent: 84, rendition: "480p" });
    expect(s.renditions).toEqual([
      expect.objectContaining({ name: "240p", ready: true, percent: 100, stage: "ready" }),
      expect.objectContaining({ name: "480p", ready: false, percent: 84, stage: "upload" }),
    ]);
    expect(s.playable).toBe(true);
  });

  it("does not let an older rendition report from a snapshot move the job backwards", () => {
    let s = initialLiveState();
    s = mergeMessage(s, p(95, { stage: "thumbnails" }));
    s = mergeMessage(s, p(80, { stage: "upload", rendition: "720p" }));
    expect(s.job).toMatchObject({ percent: 95, stage: "thumbnails" });
  });

  it("keeps the latest upload progress the edge reported, without touching the transcode", () => {
    let s = initialLiveState();
    s = mergeMessage(s, { type: "upload", partsDone: 1, partCount: 4, uploadedBytes: 8, size: 30 });
    s = mergeMessage(s, { type: "upload", partsDone: 2, partCount: 4, uploadedBytes: 16, size: 30 });
    expect(s.upload).toEqual({ partsDone: 2, partCount: 4, uploadedBytes: 16, size: 30 });
    expect(s.job).toBeNull();
    expect(s.renditions).toEqual([]);
  });

  it("clamps odd percentages in rows", () => {
    const s = mergeMessage(initialLiveState(), p(140, { rendition: "720p" }));
    expect(s.renditions[0]!.percent).toBe(100);
  });

  it("starts over when a new attempt is queued, keeping renditions that are already streamable", () => {
    let s = initialLiveState();
    s = mergeMessage(s, { type: "rendition", rendition: rendition("240p", 240) });
    s = mergeMessage(s, p(70, { rendition: "360p" }));
    s = mergeMessage(s, { type: "status", status: "queued", playable: true });
    expect(s.job).toBeNull();
    expect(s.renditions.map((r) => r.name)).toEqual(["240p"]);
  });

  it("marks failure with its reason and ready as the end", () => {
    const failed = mergeMessage(initialLiveState(), { type: "failed", reason: "transcoding timed out" });
    expect(failed).toMatchObject({
      status: "failed",
      failureReason: "transcoding timed out",
      terminal: "failed",
    });
    const ready = mergeMessage(initialLiveState(), { type: "ready" });
    expect(ready).toMatchObject({ status: "ready", playable: true, terminal: "ready", job: null });
  });

  it("merges a fresh copy of the video without losing rows it does not know", () => {
    let s = mergeMessage(initialLiveState(), p(60, { rendition: "720p" }));
    s = mergeVideo(
      s,
      video({
        playable: true,
        renditions: [rendition("360p", 360), { ...rendition("audio", 0), kind: "audio" }],
        progress: { stage: "upload", percent: 88, updatedAt: "2026-11-23T10:00:05.000Z" },
      }),
    );
    expect(s.renditions.map((r) => [r.name, r.ready])).toEqual([
      ["720p", false],
      ["360p", true],
    ]);
    expect(s.job).toMatchObject({ stage: "upload", percent: 88 });
    expect(s.terminal).toBeNull();
    expect(mergeVideo(s, video({ status: "failed", failureReason: "bad" }))).toMatchObject({
      terminal: "failed",
      failureReason: "bad",
    });
  });
});
