import { describe, expect, it } from "vitest";
import { type Heartbeat, ViewReporter } from "./view-reporter.ts";

/** A reporter on a hand-driven clock, recording what it sends and beacons. */
function harness(token: string | null = "tok", intervalMs = 10_000) {
  let t = 1_000_000;
  const sent: Heartbeat[] = [];
  const beacons: Heartbeat[] = [];
  const reporter = new ViewReporter(
    { now: () => t, send: (b) => sent.push(b), beacon: (b) => beacons.push(b) },
    intervalMs,
  );
  reporter.setToken(token);
  const advance = (ms: number) => {
    t += ms;
  };
  return { reporter, sent, beacons, advance };
}

describe("ViewReporter", () => {
  it("sends a heartbeat every 10 s of playback with the seconds played since the previous one", () => {
    const { reporter, sent, advance } = harness();
    reporter.playing(0);
    for (let s = 1; s <= 25; s++) {
      advance(1000);
      reporter.progress(s);
    }
    expect(sent).toEqual([
      { viewToken: "tok", positionSec: 10, playedSec: 10 },
      { viewToken: "tok", positionSec: 20, playedSec: 10 },
    ]);
  });

  it("reports on pause; paused time is not played time", () => {
    const { reporter, sent, advance } = harness();
    reporter.playing(0);
    advance(4000);
    reporter.paused(4);
    advance(60_000);
    reporter.playing(4);
    advance(3000);
    reporter.ended(7);
    expect(sent.map((b) => [b.positionSec, b.playedSec])).toEqual([
      [4, 4],
      [7, 3],
    ]);
  });

  it("a seek adds nothing: only the clock while playing counts", () => {
    const { reporter, sent, advance } = harness();
    reporter.playing(0);
    advance(2000);
    reporter.seeking(2);
    // Jump to 500 s; the seek itself takes 1 s of waiting.
    advance(1000);
    reporter.playing(500);
    advance(3000);
    reporter.paused(503);
    expect(sent).toEqual([{ viewToken: "tok", positionSec: 503, playedSec: 5 }]);
  });

  it("beacons when the page is hidden, and keeps counting a background tab from there", () => {
    const { reporter, sent, beacons, advance } = harness();
    reporter.playing(0);
    advance(6000);
    reporter.hidden();
    expect(beacons).toEqual([{ viewToken: "tok", positionSec: 0, playedSec: 6 }]);
    advance(9000);
    reporter.progress(15);
    expect(sent).toEqual([]);
    advance(1000);
    reporter.progress(16);
    expect(sent).toEqual([{ viewToken: "tok", positionSec: 16, playedSec: 10 }]);
  });

  it("sends nothing without a token, nor a repeat with nothing new (pause then ended, hidden then pagehide)", () => {
    const { reporter, sent, beacons, advance } = harness(null);
    reporter.playing(0);
    advance(2000);
    reporter.paused(2);
    expect(sent).toEqual([]);
    reporter.setToken("fresh");
    reporter.playing(2);
    advance(1000);
    reporter.paused(3);
    reporter.ended(3);
    reporter.hidden();
    reporter.hidden();
    // Played before the token arrived still counts once there is one to send it with.
    expect(sent).toEqual([{ viewToken: "fresh", positionSec: 3, playedSec: 3 }]);
    expect(beacons).toEqual([]);
  });

  it("sends the traffic source once, with the first heartbeat of each view token", () => {
    const { reporter, sent, beacons, advance } = harness();
    reporter.setSource("search");
    reporter.playing(0);
    for (let s = 1; s <= 20; s++) {
      advance(1000);
      reporter.progress(s);
    }
    reporter.setToken("tok"); // the same token again: nothing to resend
    advance(3000);
    reporter.hidden();
    reporter.setToken("fresh"); // a fresh copy of the video: its first heartbeat names the source again
    advance(10_000);
    reporter.progress(33);
    expect(sent).toEqual([
      { viewToken: "tok", positionSec: 10, playedSec: 10, source: "search" },
      { viewToken: "tok", positionSec: 20, playedSec: 10 },
      { viewToken: "fresh", positionSec: 33, playedSec: 10, source: "search" },
    ]);
    expect(beacons).toEqual([{ viewToken: "tok", positionSec: 20, playedSec: 3 }]);
  });
});
