import { describe, expect, it } from "vitest";
import type { VideoDto } from "./api.ts";
import { appendPage, detailsPatch, fieldErrors, statusView } from "./studio-model.ts";

function video(patch: Partial<VideoDto> = {}): VideoDto {
  return {
    id: "v_aaaaaaaaaaaaaaaa",
    title: "Clip",
    description: "",
    visibility: "public",
    status: "ready",
    playable: true,
    durationSec: 10,
    width: 1280,
    height: 720,
    renditions: [],
    thumbnailUrl: null,
    trickplayUrl: null,
    createdAt: "2026-11-23T10:00:00.000Z",
    owned: true,
    ...patch,
  };
}

describe("paging", () => {
  it("never shows a video twice across pages", () => {
    const a = video({ id: "v_a" });
    const b = video({ id: "v_b" });
    const c = video({ id: "v_c" });
    expect(appendPage([a, b], [b, c]).map((v) => v.id)).toEqual(["v_a", "v_b", "v_c"]);
  });
});

describe("statusView", () => {
  it("says ready and failed plainly, with the failure reason", () => {
    expect(statusView(video())).toMatchObject({ label: "Ready", tone: "ok" });
    expect(statusView(video({ status: "failed", failureReason: "not a video" }))).toMatchObject({
      label: "Failed",
      tone: "danger",
      detail: "not a video",
    });
  });

  it("shows upload progress from the live feed, indeterminate before the first report", () => {
    expect(statusView(video({ status: "uploading" }))).toMatchObject({ label: "Uploading", percent: null });
    const live = { job: null, upload: { partsDone: 1, partCount: 4, uploadedBytes: 25, size: 100 } };
    expect(statusView(video({ status: "uploading" }), live)).toMatchObject({
      label: "Uploading 25%",
      percent: 25,
      detail: "1 of 4 parts",
    });
  });

  it("shows transcode progress, live first, and says when it already streams", () => {
    const processing = video({
      status: "processing",
      playable: false,
      progress: { stage: "encode", percent: 12, updatedAt: "2026-11-23T10:00:00.000Z" },
    });
    expect(statusView(processing)).toMatchObject({ label: "Processing 12%", percent: 12, tone: "busy" });
    const live = { job: { type: "progress" as const, stage: "encode", percent: 64.7, speed: 2 } };
    const view = statusView({ ...processing, playable: true }, live);
    expect(view).toMatchObject({ label: "Processing 64%", percent: 64.7 });
    expect(view.detail).toBe("Streaming already · Transcoding · 2.0× speed");
    expect(statusView(video({ status: "processing" }))).toMatchObject({ label: "Processing", percent: null });
    expect(statusView(video({ status: "queued" }))).toMatchObject({ label: "Queued", percent: null });
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
