import { afterEach, describe, expect, it, vi } from "vitest";
import { annotateLog, formatLine, log, logContext, pinLogLevel, setLogLevel, withLogContext } from "./log.ts";

afterEach(() => {
  pinLogLevel(null);
  setLogLevel("info");
  vi.restoreAllMocks();
});

describe("edge logger", () => {
  it("writes one JSON line: level, time, message, the scope's ids, the fields", () => {
    const line = withLogContext({ requestId: "r-1", videoId: "v_abcdefghijklmnop" }, () =>
      formatLine("info", "job queued", { attempt: 2 }, new Date("2026-12-07T22:00:00Z")),
    );
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toEqual({
      level: "info",
      at: "2026-12-07T22:00:00.000Z",
      msg: "job queued",
      requestId: "r-1",
      videoId: "v_abcdefghijklmnop",
      attempt: 2,
    });
  });

  it("nested scopes merge, annotations join the current scope, and nothing leaks out of it", async () => {
    await withLogContext({ requestId: "outer" }, async () => {
      await withLogContext({ jobId: "j_1", skipped: undefined }, async () => {
        await Promise.resolve();
        annotateLog({ videoId: "v_x", attempt: undefined });
        expect(logContext()).toEqual({ requestId: "outer", jobId: "j_1", videoId: "v_x" });
      });
      expect(logContext()).toEqual({ requestId: "outer" });
    });
    expect(logContext()).toEqual({});
    annotateLog({ videoId: "outside a scope: ignored" });
    expect(logContext()).toEqual({});
  });

  it("parallel scopes keep their own ids", async () => {
    const seen = await Promise.all(
      ["a", "b", "c"].map((id) =>
        withLogContext({ requestId: id }, async () => {
          await new Promise((r) => setTimeout(r, id === "a" ? 5 : 0));
          return JSON.parse(formatLine("info", "x")).requestId;
        }),
      ),
    );
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("errors become their message; the fields win over the scope", () => {
    const line = withLogContext({ requestId: "scope" }, () =>
      formatLine("error", "boom", { error: new Error("disk full"), requestId: "field" }),
    );
    expect(JSON.parse(line)).toMatchObject({ error: "disk full", requestId: "field" });
  });

  it("drops lines under the threshold (errors always pass) and routes by level", () => {
    const out = vi.spyOn(console, "log").mockImplementation(() => {});
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    setLogLevel("warn");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(out).not.toHaveBeenCalled();
    expect(JSON.parse(String(warn.mock.calls[0]![0])).msg).toBe("w");
    expect(JSON.parse(String(error.mock.calls[0]![0])).msg).toBe("e");
    setLogLevel("silent");
    log.error("still written");
    expect(error).toHaveBeenCalledTimes(2);
  });

  it("a pinned level survives setLogLevel (services() applies LOG_LEVEL on every request)", () => {
    const out = vi.spyOn(console, "log").mockImplementation(() => {});
    pinLogLevel("debug");
    setLogLevel("error");
    log.debug("kept");
    expect(out).toHaveBeenCalledTimes(1);
  });
});
