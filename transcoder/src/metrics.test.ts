import { describe, expect, it } from "vitest";
import { metricsText, reapedChildCpuSeconds, recordClaimConflict, timedPhase } from "./metrics.ts";
import { parsePrometheusText } from "./testing/prometheus-text.ts";

const M = "streamline_transcoder_";

async function samples() {
  return parsePrometheusText(await metricsText());
}

describe("reapedChildCpuSeconds", () => {
  it("reads cutime + cstime (fields 16–17) after a command name holding spaces and parentheses", () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
    const stat = "4242 (node (x) y) S 1 4242 4242 0 -1 4194560 900 12 0 0 50 7 1234 66 20 0 11 0 100";
    expect(reapedChildCpuSeconds(stat)).toBe(13);
  });

  it("returns null for text that is not a stat line", () => {
    expect(reapedChildCpuSeconds("garbage")).toBeNull();
  });
});

describe("the registry", () => {
  it("times a phase and its realtime factor, and counts claim conflicts", async () => {
    const before = await samples();
    const out = await timedPhase(
      "unit_phase",
      ["144p", "240p"],
      async () => "ok",
      () => 10,
    );
    expect(out).toBe("ok");
    recordClaimConflict();
    const after = await samples();
    const key = `${M}phase_duration_seconds_count{phase="unit_phase",rungs="144p+240p"}`;
    expect((after.get(key) ?? 0) - (before.get(key) ?? 0)).toBe(1);
    expect(after.get(`${M}realtime_factor_count{phase="unit_phase"}`)).toBe(1);
    const conflicts = `${M}claim_conflicts_total`;
    expect((after.get(conflicts) ?? 0) - (before.get(conflicts) ?? 0)).toBe(1);
  });

  it("records nothing for a phase that throws", async () => {
    await expect(timedPhase("unit_failing", [], () => Promise.reject(new Error("boom")))).rejects.toThrow(
      "boom",
    );
    expect((await samples()).has(`${M}phase_duration_seconds_count{phase="unit_failing",rungs=""}`)).toBe(
      false,
    );
  });
});
