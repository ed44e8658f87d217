import { describe, expect, it, vi } from "vitest";
import { MemoryNodeRegistry, type NodeInfo, NodePresence } from "./registry.ts";

const entry = (nodeId: string): Omit<NodeInfo, "lastSeen"> => ({
  nodeId,
  capacity: 1,
  running: [],
  draining: false,
  startedAt: "2026-01-01T00:00:00.000Z",
  version: "test",
});

describe("node registry (memory) and presence", () => {
  it("entries expire after their TTL unless refreshed", async () => {
    let now = 0;
    const registry = new MemoryNodeRegistry(() => now);
    await registry.announce({ ...entry("a"), lastSeen: "t" }, 1000);
    await registry.announce({ ...entry("b"), lastSeen: "t" }, 3000);
    now = 1500;
    expect((await registry.list()).map((n) => n.nodeId)).toEqual(["b"]);
  });

  it("presence announces at start, on touch, and leaves on stop", async () => {
    const registry = new MemoryNodeRegistry();
    let running = 0;
    const presence = new NodePresence({
      registry,
      describe: () => ({
        ...entry("me"),
        running: Array.from({ length: running }, (_, i) => ({
          jobId: `j${i}`,
          videoId: "v",
          attempt: 1,
          attemptId: "a",
          startedAt: "t",
        })),
      }),
      refreshMs: 60_000,
      ttlMs: 180_000,
    });
    await presence.start();
    expect((await registry.list()).map((n) => n.running.length)).toEqual([0]);
    running = 1;
    presence.touch();
    await vi.waitFor(async () => expect((await registry.list()).map((n) => n.running.length)).toEqual([1]));
    await presence.stop();
    expect(await registry.list()).toEqual([]);

    // A touch after stop announces nothing. The proof waits for a witness: a live presence
    // (own registry, same debounce) touched right after has announced, so the stopped
    // one's announce would have landed by then too.
    const witnessRegistry = new MemoryNodeRegistry();
    const witness = new NodePresence({
      registry: witnessRegistry,
      describe: () => entry("witness"),
      refreshMs: 60_000,
      ttlMs: 180_000,
    });
    presence.touch();
    witness.touch();
    await vi.waitFor(async () => expect(await witnessRegistry.list()).toHaveLength(1));
    expect(await registry.list()).toEqual([]);
    await witness.stop();
  });
});
