import { describe, expect, it, vi } from "vitest";
import type { VideoDto } from "../../lib/api.ts";
import { videoDto } from "../../lib/testing/video-dto.ts";
import {
  checkPosterFile,
  MAX_POSTER_BYTES,
  PosterTimeoutError,
  posterFile,
  waitForNewPoster,
} from "./poster-upload.ts";

const OLD = "/v/v_aaaaaaaaaaaaaaaa/tok1.a.b/poster.jpg";

const video = (thumbnailUrl: string | null) => videoDto({ thumbnailUrl });

/** A clock that only moves when the poll sleeps. */
function fakeTime() {
  let t = 0;
  return {
    now: () => t,
    sleep: vi.fn(async (ms: number) => {
      t += ms;
    }),
  };
}

describe("checkPosterFile", () => {
  it("takes JPEG, PNG and WebP up to 10 MiB, by type or extension", () => {
    expect(checkPosterFile({ name: "a.png", type: "image/png", size: 10 })).toEqual({
      ok: true,
      contentType: "image/png",
    });
    expect(checkPosterFile({ name: "poster.JPG", type: "", size: 10 })).toEqual({
      ok: true,
      contentType: "image/jpeg",
    });
    expect(checkPosterFile({ name: "a.webp", type: "image/webp", size: MAX_POSTER_BYTES })).toMatchObject({
      ok: true,
    });
    expect(checkPosterFile({ name: "a.gif", type: "image/gif", size: 10 })).toMatchObject({ ok: false });
    expect(checkPosterFile({ name: "a.png", type: "image/png", size: MAX_POSTER_BYTES + 1 })).toEqual({
      ok: false,
      error: "Posters can be at most 10 MiB.",
    });
  });
});

describe("posterFile", () => {
  it("names the file under a delivery URL, whatever the token", () => {
    expect(posterFile(OLD)).toBe(posterFile("/v/v_aaaaaaaaaaaaaaaa/tok2.c.d/poster.jpg"));
    expect(posterFile(OLD)).not.toBe(posterFile("/v/v_aaaaaaaaaaaaaaaa/tok1.a.b/poster-2.jpg"));
    expect(posterFile(null)).toBeNull();
  });
});

describe("waitForNewPoster", () => {
  it("polls every 2 s until the poster is a new file (a new token alone is not new)", async () => {
    const time = fakeTime();
    const answers = [
      video(OLD),
      video("/v/v_aaaaaaaaaaaaaaaa/tok2.c.d/poster.jpg"),
      video("/v/v_aaaaaaaaaaaaaaaa/tok3.e.f/poster-1.jpg"),
    ];
    const getVideo = vi.fn(async () => answers.shift()!);
    const result = await waitForNewPoster({ getVideo, previous: OLD, ...time });
    expect(result.thumbnailUrl).toContain("poster-1.jpg");
    expect(getVideo).toHaveBeenCalledTimes(3);
    expect(time.sleep.mock.calls.map(([ms]) => ms)).toEqual([2000, 2000, 2000]);
  });

  it("treats a first poster (none before) as new, and shrugs off a failed read", async () => {
    const time = fakeTime();
    const getVideo = vi
      .fn<() => Promise<VideoDto>>()
      .mockRejectedValueOnce(new Error("offline"))
      .mockResolvedValueOnce(video(null))
      .mockResolvedValueOnce(video(OLD));
    expect((await waitForNewPoster({ getVideo, previous: null, ...time })).thumbnailUrl).toBe(OLD);
  });

  it("gives up after a minute", async () => {
    const time = fakeTime();
    const getVideo = vi.fn(async () => video(OLD));
    await expect(waitForNewPoster({ getVideo, previous: OLD, ...time })).rejects.toBeInstanceOf(
      PosterTimeoutError,
    );
    expect(getVideo).toHaveBeenCalledTimes(30);
  });

  it("stops when aborted (the person left the page)", async () => {
    const controller = new AbortController();
    const getVideo = vi.fn(async () => {
      controller.abort(new Error("left"));
      return video(OLD);
    });
    await expect(
      waitForNewPoster({ getVideo, previous: OLD, signal: controller.signal, intervalMs: 1 }),
    ).rejects.toThrow("left");
    expect(getVideo).toHaveBeenCalledTimes(1);
  });
});
