/**
 * Test helper for the SSRF suite (docs/adr/0009): a loopback canary that counts every
 * TCP connection and UDP datagram it receives, and one hostile "video" per format
 * ffmpeg 5 can be talked into opening nested URLs with, each pointing at the canary.
 */
import { createSocket } from "node:dgram";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface Canary {
  /** `http://127.0.0.1:<port>` — TCP (HTTP or anything else) on this port counts. */
  url: string;
  host: string;
  port: number;
  /** A UDP port on loopback (RTP/RTCP punches count). */
  udpPort: number;
  /** Every TCP connection and UDP datagram seen so far, described. */
  hits: string[];
  close(): Promise<void>;
}

export async function startCanary(): Promise<Canary> {
  const hits: string[] = [];
  const http = createServer((req: IncomingMessage, res) => {
    hits.push(`HTTP ${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  http.on("connection", () => hits.push("TCP connection"));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const udp = createSocket("udp4");
  udp.on("message", (msg) => hits.push(`UDP ${msg.length} bytes`));
  await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: "127.0.0.1",
    port,
    udpPort: udp.address().port,
    hits,
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    },
  };
}

export interface HostileFile {
  /** Upload name; every one is named like an MP4. */
  name: string;
  /** The demuxer ffmpeg 5.1 picks for it (what the policy must refuse). */
  format: string;
  /** Why it is dangerous. */
  note: string;
  body: string;
}

function mpd(canary: Canary): string {
  return (
    '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011" ' +
    'type="static" mediaPresentationDuration="PT10S" minBufferTime="PT1S">' +
    `<BaseURL>${canary.url}/dash/</BaseURL><Period><AdaptationSet mimeType="video/mp4">` +
    '<Representation id="1" bandwidth="1000" codecs="avc1.42c00d" width="320" height="240">' +
    "<BaseURL>seg.mp4</BaseURL></Representation></AdaptationSet></Period></MPD>\n"
  );
}

/**
 * The corpus. Sniffing (probe.ts `looksLikeMediaContainer`) decides whether the source
 * is streamed over its presigned URL or downloaded first; the disguised entries pass
 * it (bytes 4..8 read `ftyp`/`wide` inside an XML comment, or a tiny file starts with
 * the MPEG-TS sync byte `G`), so they reach ffprobe over HTTP.
 */
export function nestedUrlCorpus(canary: Canary): HostileFile[] {
  const c = canary.url;
  return [
    {
      name: "hls-media.mp4",
      format: "hls",
      note: "HLS media playlist whose segment is on the canary",
      body: `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n${c}/hls/seg0.ts\n#EXT-X-ENDLIST\n`,
    },
    {
      name: "hls-master.mp4",
      format: "hls",
      note: "HLS master playlist whose variant is on the canary",
      body: `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=100000,RESOLUTION=320x240\n${c}/hls/variant.m3u8\n`,
    },
    {
      name: "hls-key.mp4",
      format: "hls",
      note: "HLS playlist with an AES-128 key URI on the canary",
      body: `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-KEY:METHOD=AES-128,URI="${c}/hls/key"\n#EXTINF:10,\n${c}/hls/seg0.ts\n#EXT-X-ENDLIST\n`,
    },
    {
      name: "dash.mp4",
      format: "dash",
      note: "DASH manifest whose BaseURL is the canary",
      body: `<?xml version="1.0"?>\n${mpd(canary)}`,
    },
    {
      name: "dash-as-ftyp.mp4",
      format: "dash",
      note: "DASH manifest behind <!--ftypjp2 -->: sniffs as ISO BMFF, so it is streamed",
      body: `<!--ftypjp2 -->\n${mpd(canary)}`,
    },
    {
      name: "dash-as-wide.mp4",
      format: "dash",
      note: "DASH manifest behind <!--wide-->: sniffs as QuickTime, so it is streamed",
      body: `<!--wide-->\n${mpd(canary)}`,
    },
    {
      name: "ffconcat.mp4",
      format: "concat",
      note: "ffconcat list naming a canary URL",
      body: `ffconcat version 1.0\nfile ${c}/concat/a.mp4\n`,
    },
    {
      name: "ffconcat-relative.mp4",
      format: "concat",
      note: "ffconcat list naming a relative file (resolved against the source URL: storage)",
      body: "ffconcat version 1.0\nfile other.mp4\nfile ../../secret.mp4\n",
    },
    {
      name: "sdp.mp4",
      format: "sdp",
      note: "SDP session under 189 bytes starting with 'G' (sniffs as MPEG-TS): RTP to the canary",
      body: `G=0\nv=0\no=- 0 0 IN IP4 ${canary.host}\ns=x\nc=IN IP4 ${canary.host}\nt=0 0\nm=video ${canary.udpPort} RTP/AVP 96\na=rtpmap:96 H264/90000\n`,
    },
  ];
}

/** The ISO-BMFF boxes from `start` to `end` whose type path is `path` (e.g. moov/trak/…/dref), outermost first. */
function boxPath(
  buf: Buffer,
  start: number,
  end: number,
  path: string[],
): { offset: number; size: number }[] | null {
  for (let offset = start; offset + 8 <= end; ) {
    const size = buf.readUInt32BE(offset);
    if (size < 8) return null;
    if (buf.toString("latin1", offset + 4, offset + 8) === path[0]) {
      if (path.length === 1) return [{ offset, size }];
      const inner = boxPath(buf, offset + 8, offset + size, path.slice(1));
      if (inner) return [{ offset, size }, ...inner];
    }
    offset += size;
  }
  return null;
}

/**
 * A copy of `mov` (moov after mdat, as ffmpeg writes it) whose first track's data reference
 * is a Mac alias record naming `target` beside the source (relative, one level): the
 * reference the mov demuxer follows when `enable_drefs` is on (libavformat/mov.c
 * `mov_read_dref`, `mov_open_dref`).
 */
export function movWithExternalDref(mov: Buffer, target: string): Buffer {
  const path = boxPath(mov, 0, mov.length, ["moov", "trak", "mdia", "minf", "dinf", "dref"]);
  if (!path) throw new Error("no moov/trak/mdia/minf/dinf/dref in the MOV");
  const absolute = Buffer.from(`/volume/dir/${target}`, "latin1");
  const padded = Buffer.concat([absolute, Buffer.alloc(absolute.length % 2)]);
  const field = (bytes: number, text = "") => {
    const b = Buffer.alloc(bytes);
    b.write(text, "latin1");
    return b;
  };
  const u8 = (n: number) => Buffer.from([n]);
  const u16 = (n: number) => {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n);
    return b;
  };
  const alias = Buffer.concat([
    field(10),
    u8(3),
    field(27, "vol"),
    field(12),
    u8(target.length),
    field(63, target),
    field(16),
    u16(1), // nlvl_from
    u16(1), // nlvl_to
    field(16),
    u16(2), // type 2: absolute path
    u16(absolute.length),
    padded,
    u16(0xffff), // end of the record
    u16(0),
  ]);
  const entry = Buffer.concat([Buffer.alloc(4), Buffer.from("alis", "latin1"), Buffer.alloc(4), alias]);
  entry.writeUInt32BE(entry.length, 0);
  const dref = Buffer.concat([
    Buffer.alloc(4),
    Buffer.from("dref", "latin1"),
    Buffer.alloc(4),
    Buffer.alloc(4),
    entry,
  ]);
  dref.writeUInt32BE(dref.length, 0);
  dref.writeUInt32BE(1, 12); // one entry
  const old = path[path.length - 1] as { offset: number; size: number };
  const out = Buffer.concat([mov.subarray(0, old.offset), dref, mov.subarray(old.offset + old.size)]);
  const delta = dref.length - old.size;
  for (const box of path.slice(0, -1)) out.writeUInt32BE(box.size + delta, box.offset);
  return out;
}
