import { describe, expect, it } from "vitest";
import { compactCount, nextReaction, optimistic } from "./reaction-state.ts";

describe("reaction clicks", () => {
  it("clicking your own reaction takes it back; the other one switches", () => {
    expect(nextReaction(null, "like")).toBe("like");
    expect(nextReaction("like", "like")).toBe("none");
    expect(nextReaction("like", "dislike")).toBe("dislike");
  });

  it("counts move as the server will count them", () => {
    expect(optimistic({ likeCount: 4, myReaction: null }, "like")).toEqual({
      likeCount: 5,
      myReaction: "like",
    });
    expect(optimistic({ likeCount: 5, myReaction: "like" }, "like")).toEqual({
      likeCount: 4,
      myReaction: null,
    });
    expect(optimistic({ likeCount: 5, dislikeCount: 1, myReaction: "like" }, "dislike")).toEqual({
      likeCount: 4,
      dislikeCount: 2,
      myReaction: "dislike",
    });
    // A viewer never learns the dislike count.
    expect(optimistic({ likeCount: 0, myReaction: null }, "dislike")).toEqual({
      likeCount: 0,
      myReaction: "dislike",
    });
  });

  it("compact counts", () => {
    expect(compactCount(999)).toBe("999");
    expect(compactCount(1234)).toBe("1.2K");
  });
});
