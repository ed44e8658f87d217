import { describe, expect, it } from "vitest";
import { videoDto } from "../../lib/testing/video-dto.ts";
import { loadUpNext, UP_NEXT_LIMIT, type UpNextSource } from "./up-next.ts";

const current = videoDto({ id: "v_current000000000" });
const many = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) =>
    videoDto({ id: `v_${prefix}${String(i).padStart(14 - prefix.length + 2, "0")}` }),
  );

function source(related: ReturnType<typeof videoDto>[] | null, channel: ReturnType<typeof videoDto>[] = []) {
  const asked: string[] = [];
  const s: UpNextSource = {
    related: async (id) => {
      asked.push(`related ${id}`);
      return related;
    },
    channelVideos: async (handle, limit) => {
      asked.push(`channel ${handle} ${limit}`);
      return channel;
    },
  };
  return { s, asked };
}

const signal = new AbortController().signal;

describe("up next", () => {
  it("takes related videos when there are any, without the video itself, at most 12", async () => {
    const { s, asked } = source([current, ...many("r", 20)], many("c", 3));
    const list = await loadUpNext(current, signal, s);
    expect(list).toHaveLength(UP_NEXT_LIMIT);
    expect(list.map((v) => v.id)).not.toContain(current.id);
    expect(asked).toEqual([`related ${current.id}`]);
  });

  it("falls back to the channel's newest when related is missing or empty", async () => {
    for (const related of [null, []]) {
      const { s, asked } = source(related, [current, ...many("c", 2)]);
      const list = await loadUpNext(current, signal, s);
      expect(list.map((v) => v.id)).toEqual(many("c", 2).map((v) => v.id));
      expect(asked).toEqual([`related ${current.id}`, `channel ana ${UP_NEXT_LIMIT + 1}`]);
    }
  });

  it("has nothing for a video without a channel and no related ones", async () => {
    const { s } = source(null, many("c", 2));
    expect(await loadUpNext({ ...current, channel: null }, signal, s)).toEqual([]);
  });
});
