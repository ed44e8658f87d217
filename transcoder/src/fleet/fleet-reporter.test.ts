import { describe, expect, it } from "vitest";
import type { JobReporter } from "../events.ts";
import { fleetAwareReporter } from "./fleet-reporter.ts";
import { ClaimLostError, JobCancelledError, ShutdownError } from "./stop-reasons.ts";

function recording() {
  const calls: unknown[][] = [];
  const inner: JobReporter = {
    heartbeat: () => calls.push(["heartbeat"]),
    probed: () => calls.push(["probed"]),
    progress: (u) => calls.push(["progress", u.stage, u.percent]),
    rendition: () => calls.push(["rendition"]),
    done: () => calls.push(["done"]),
    failed: (reason, retryable) => calls.push(["failed", reason, retryable]),
    flush: async () => {},
  };
  return { inner, calls };
}

describe("fleetAwareReporter", () => {
  it("a cancelled job's failure is final (retryable: false) with the cancel reason", () => {
    const { inner, calls } = recording();
    const abort = new AbortController();
    const reporter = fleetAwareReporter(inner, { signal: abort.signal });
    abort.abort(new JobCancelledError("cancelled: video deleted"));
    reporter.failed("ffmpeg was cancelled", true);
    expect(calls).toEqual([["failed", "cancelled: video deleted", false]]);
  });

  it("a job that lost its claim reports no failure; shutdown and other failures pass through", () => {
    const lost = recording();
    const a = new AbortController();
    a.abort(new ClaimLostError("lost"));
    fleetAwareReporter(lost.inner, { signal: a.signal }).failed("x", true);
    expect(lost.calls).toEqual([]);

    const shutdown = recording();
    const s = new AbortController();
    s.abort(new ShutdownError("shutting down"));
    fleetAwareReporter(shutdown.inner, { signal: s.signal }).failed("shutting down", true);
    expect(shutdown.calls).toEqual([["failed", "shutting down", true]]);
  });

  it("forwards every other method and feeds progress to the registry", () => {
    const { inner, calls } = recording();
    const stages: [string, number][] = [];
    const reporter = fleetAwareReporter(inner, {
      signal: new AbortController().signal,
      onProgress: (stage, percent) => stages.push([stage, percent]),
    });
    reporter.heartbeat();
    reporter.progress({ stage: "encode", percent: 40 });
    expect(calls).toEqual([["heartbeat"], ["progress", "encode", 40]]);
    expect(stages).toEqual([["encode", 40]]);
  });
});
