import { describe, expect, it } from "vitest";
import { videoDto } from "../../lib/testing/video-dto.ts";
import { appendPage, detailsPatch, fieldErrors, statusView } from "./studio-model.ts";

describe("paging", () => {
  it("never shows a video twice across pages", () => {
    const a = videoDto({ id: "v_a" });
    const b = videoDto({ id: "v_b" });
    const c = videoDto({ id: "v_c" });
    expect(appendPage([a, b], [b, c]).map((v) => v.id)).toEqual(["v_a", "v_b", "v_c"]);
  });
});

describe("statusView", () => {
  it("says ready and failed plainly, with the failure reason", () => {
    expect(statusView(videoDto())).toMatchObject({ label: "Ready", tone: "ok" });
    expect(statusView(videoDto({ status: "failed", failureReason: "not a video" }))).toMatchObject({
      label: "Failed",
      tone: "danger",
      detail: "not a video",
    });
  });

  it("shows the owner the sanitized failure detail over the viewers' sentence", () => {
    const failed = videoDto({
      status: "failed",
      failureReason: "This file is not a video.",
      failure: {
        code: "not_a_video",
        message: "This file is not a video.",
        detail: "it is a still image (png), not a video",
      },
    });
    expect(statusView(failed).detail).toBe("it is a still image (png), not a video");
  });

  it("shows upload progress from the live feed, indeterminate before the first report", () => {
    expect(statusView(videoDto({ status: "uploading" }))).toMatchObject({
      label: "Uploading",
      percent: null,
    });
    const live = { job: null, upload: { partsDone: 1, partCount: 4, uploadedBytes: 25, size: 100 } };
    expect(statusView(videoDto({ status: "uploading" }), live)).toMatchObject({
      label: "Uploading 25%",
      percent: 25,
      detail: "1 of 4 parts",
    });
  });

  it("shows transcode progress, live first, and says when it already streams", () => {
    const processing = videoDto({
      status: "processing",
      playable: false,
      progress: { stage: "encode", percent: 12, updatedAt: "2026-11-23T10:00:00.000Z" },
    });
    expect(statusView(processing)).toMatchObject({ label: "Processing 12%", percent: 12, tone: "busy" });
    const live = { job: { type: "progress" as const, stage: "encode", percent: 64.7, speed: 2 } };
    const view = statusView({ ...processing, playable: true }, live);
    expect(view).toMatchObject({ label: "Processing 64%", percent: 64.7 });
    expect(view.detail).toBe("Streaming already · Transcoding · 2.0× speed");
    expect(statusView(videoDto({ status: "processing" }))).toMatchObject({
      label: "Processing",
      percent: null,
    });
    expect(statusView(videoDto({ status: "queued" }))).toMatchObject({ label: "Queued", percent: null });
  });
});

describe("details form", () => {
  const current = { title: "Old", description: "Text", visibility: "public" as const };

  it("sends only what changed, nothing when nothing did", () => {
    expect(detailsPatch(current, { ...current })).toBeNull();
    expect(detailsPatch(current, { ...current, title: "  Old  " })).toBeNull();
    expect(detailsPatch(current, { ...current, title: "New", visibility: "private" })).toEqual({
      title: "New",
      visibility: "private",
    });
    expect(detailsPatch(current, { ...current, description: "" })).toEqual({ description: "" });
    // A blank title is sent as typed so the API's validation answers for it.
    expect(detailsPatch(current, { ...current, title: "   " })).toEqual({ title: "   " });
  });

  it("puts the API's issues next to their fields, in words people use", () => {
    const errors = fieldErrors(
      [
        { path: "title", message: "Too small: expected string to have >=1 characters", code: "too_small" },
        { path: "title", message: "second issue for the same field" },
        { path: "description", message: "Too big", code: "too_big" },
        { path: "", message: "nothing to update", code: "custom" },
        { path: "somethingElse", message: "odd" },
        "not an issue",
      ],
      ["title", "description", "visibility"],
    );
    expect(errors).toEqual({
      title: "Give the video a title.",
      description: "Descriptions can be at most 5,000 characters.",
      "": "nothing to update",
    });
    expect(fieldErrors(undefined, ["title"])).toEqual({});
  });
});
