import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cueAt, parseTrickplayVtt, spriteUrl } from "./trickplay.ts";

const fixture = readFileSync(new URL("./fixtures/trickplay.vtt", import.meta.url), "utf8");
/** The fixture's sheets: 3×2 tiles of 160×90. */
const SHEET = { width: 480, height: 180 };

describe("parseTrickplayVtt", () => {
  it("reads every thumbnail cue of a transcoder-style track, in order, inside its sprite", () => {
    const cues = parseTrickplayVtt(fixture);
    expect(cues).toHaveLength(8);
    expect(cues[0]).toEqual({ start: 0, end: 2, sprite: "sprite-0.jpg", x: 0, y: 0, w: 160, h: 90 });
    expect(cues[4]).toEqual({ start: 8, end: 10, sprite: "sprite-0.jpg", x: 160, y: 90, w: 160, h: 90 });
    expect(cues[6]).toMatchObject({ start: 12, sprite: "sprite-1.jpg", x: 0, y: 0 });
    for (const cue of cues) {
      expect(cue.x + cue.w).toBeLessThanOrEqual(SHEET.width);
      expect(cue.y + cue.h).toBeLessThanOrEqual(SHEET.height);
    }
    expect(cues.every((c, i) => i === 0 || c.start >= cues[i - 1]!.end)).toBe(true);
  });

  it("accepts CRLF, a BOM, hour-less stamps, cue settings, `pixel:` and unsorted cues", () => {
    const text = [
      "\uFEFFWEBVTT - trick play",
      "",
      "00:05.000 --> 00:10.000 align:start",
      "sheets/b.jpg#xywh=pixel:10,20,30,40",
      "",
      "1:00:00.5 --> 1:00:01",
      "sheets/c.jpg#xywh=0,0,1,1",
      "",
      "00:00.000 --> 00:05.000",
      "sheets/a.jpg#xywh=0,0,160,90",
    ].join("\r\n");
    const cues = parseTrickplayVtt(text);
    expect(cues.map((c) => [c.start, c.end, c.sprite])).toEqual([
      [0, 5, "sheets/a.jpg"],
      [5, 10, "sheets/b.jpg"],
      [3600.5, 3601, "sheets/c.jpg"],
    ]);
    expect(cues[1]).toMatchObject({ x: 10, y: 20, w: 30, h: 40 });
  });

  it("skips what is not a thumbnail cue instead of failing the whole track", () => {
    const text = [
      "WEBVTT",
      "",
      "STYLE",
      "::cue { color: red }",
      "",
      "00:00.000 --> 00:02.000",
      "just a caption",
      "",
      "00:03.000 --> 00:02.000",
      "backwards.jpg#xywh=0,0,10,10",
      "",
      "00:04.000 --> 00:06.000",
      "empty.jpg#xywh=0,0,0,10",
      "",
      "00:06.000 --> 00:08.000",
      "ok.jpg#xywh=0,0,10,10",
    ].join("\n");
    expect(parseTrickplayVtt(text).map((c) => c.sprite)).toEqual(["ok.jpg"]);
    expect(parseTrickplayVtt("not a vtt\n\n00:00.000 --> 00:01.000\na.jpg#xywh=0,0,1,1")).toEqual([]);
    expect(parseTrickplayVtt("")).toEqual([]);
  });
});

describe("cueAt", () => {
  const cues = parseTrickplayVtt(fixture);

  it("finds the tile showing at a time, including the boundaries", () => {
    expect(cueAt(cues, 0)?.x).toBe(0);
    expect(cueAt(cues, 1.99)?.start).toBe(0);
    expect(cueAt(cues, 2)?.start).toBe(2);
    expect(cueAt(cues, 9.5)?.start).toBe(8);
    expect(cueAt(cues, 15.9)).toMatchObject({ start: 14, sprite: "sprite-1.jpg", x: 160 });
  });

  it("clamps outside the track and has nothing for no cues or a bad time", () => {
    expect(cueAt(cues, -3)?.start).toBe(0);
    expect(cueAt(cues, 999)?.start).toBe(14);
    expect(cueAt([], 1)).toBeNull();
    expect(cueAt(cues, Number.NaN)).toBeNull();
  });
});

describe("spriteUrl", () => {
  it("resolves the sprite against the signed VTT URL, so the token carries over", () => {
    const vtt = "/v/v_0000000000000001/tok.en.sig/trickplay/thumbs.vtt";
    expect(spriteUrl({ sprite: "sprite-3.jpg" }, vtt, "http://127.0.0.1:8787")).toBe(
      "http://127.0.0.1:8787/v/v_0000000000000001/tok.en.sig/trickplay/sprite-3.jpg",
    );
    expect(spriteUrl({ sprite: "../s.jpg" }, `http://a.example${vtt}`)).toBe(
      "http://a.example/v/v_0000000000000001/tok.en.sig/s.jpg",
    );
  });
});
