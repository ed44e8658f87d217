import { describe, expect, it } from "vitest";
import type { ItemDetails } from "./upload-details.ts";
import { createItem, itemFraction, itemStatus } from "./upload-queue.ts";

const details: ItemDetails = {
  title: () => "",
  createFields: () => ({ visibility: "public" }),
  attach: () => undefined,
  detach: () => undefined,
};
const file = { name: "a.mp4", size: 20_000_000 } as File;

describe("queue item status", () => {
  it("reads each state as a person would", () => {
    const item = createItem(1, file, details);
    expect(itemStatus(item)).toBe("Checking…");
    item.state = "uploading";
    item.progress = {
      totalBytes: 20_000_000,
      uploadedBytes: 5_000_000,
      bytesPerSecond: 2_000_000,
      etaSec: 7,
      partsDone: 0,
      partCount: 3,
    };
    expect(itemStatus(item)).toBe("Uploading · 25% · 2.0 MB/s");
    item.state = "paused";
    expect(itemStatus(item)).toBe("Paused · 25%");
    item.state = "processing";
    expect(itemStatus(item)).toBe("Uploaded · processing");
    expect(itemFraction(item)).toBe(1);
  });

  it("shows what the edge already has of a resumable file before it starts", () => {
    const item = createItem(2, file, details);
    item.state = "ready";
    item.resumeState = {
      videoId: "v_aaaaaaaaaaaaaaaa",
      status: "uploading",
      size: 20_000_000,
      partSize: 8_388_608,
      partCount: 3,
      uploadedBytes: 8_388_608,
      parts: [],
    } as never;
    expect(itemFraction(item)).toBeCloseTo(0.419, 3);
    expect(itemStatus(item)).toBe("Ready to resume (41%)");
  });
});
