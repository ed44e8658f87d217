import { beforeEach, describe, expect, it } from "vitest";
import {
  type AccessLookup,
  clearAccessCache,
  currentAccess,
  rememberAccess,
  tokenStillGrants,
  type VideoAccess,
} from "./access-epoch.ts";

const VIDEO = "v_aaaaaaaaaaaaaaaa";
const OWNER = "u_owner";

/** A lookup over one mutable row that counts its queries (the D1 read it stands for). */
function rowLookup(row: VideoAccess | undefined) {
  const state = { row, queries: 0 };
  const lookup: AccessLookup = {
    access: async () => {
      state.queries++;
      return state.row && { ...state.row };
    },
  };
  return { state, lookup };
}

beforeEach(() => clearAccessCache());

describe("tokenStillGrants", () => {
  const at = (visibility: VideoAccess["visibility"], accessEpoch: number): VideoAccess => ({
    ownerId: OWNER,
    visibility,
    accessEpoch,
  });

  it("the owner's tokens open the video whatever their epoch; a missing video opens for nobody", () => {
    expect(tokenStillGrants(at("private", 5), { viewer: OWNER, epoch: 0 })).toBe(true);
    expect(tokenStillGrants(null, { viewer: OWNER, epoch: 5 })).toBe(false);
  });

  it("anyone else's need the video visible and an epoch no older than the current one", () => {
    expect(tokenStillGrants(at("public", 1), { viewer: null, epoch: 1 })).toBe(true);
    expect(tokenStillGrants(at("unlisted", 1), { viewer: "u_other", epoch: 1 })).toBe(true);
    expect(tokenStillGrants(at("public", 1), { viewer: null, epoch: 0 })).toBe(false);
    expect(tokenStillGrants(at("private", 1), { viewer: null, epoch: 1 })).toBe(false);
    // Issued from a fresher read than this isolate's cache: honoured.
    expect(tokenStillGrants(at("public", 1), { viewer: null, epoch: 2 })).toBe(true);
  });
});

describe("currentAccess", () => {
  const row: VideoAccess = { ownerId: OWNER, visibility: "public", accessEpoch: 0 };

  it("reads once per video per cache lifetime, then again", async () => {
    const { state, lookup } = rowLookup(row);
    const t = 1_000_000;
    expect(await currentAccess(lookup, VIDEO, 30_000, t)).toEqual(row);
    state.row = { ...row, accessEpoch: 1 };
    expect(await currentAccess(lookup, VIDEO, 30_000, t + 29_999)).toEqual(row);
    expect(state.queries).toBe(1);
    expect(await currentAccess(lookup, VIDEO, 30_000, t + 30_000)).toEqual({ ...row, accessEpoch: 1 });
    expect(state.queries).toBe(2);
  });

  it("a failed lookup is not remembered", async () => {
    let calls = 0;
    const flaky: AccessLookup = {
      access: async () => {
        calls++;
        if (calls === 1) throw new Error("D1 unavailable");
        return row;
      },
    };
    await expect(currentAccess(flaky, VIDEO, 30_000)).rejects.toThrow("D1 unavailable");
    expect(await currentAccess(flaky, VIDEO, 30_000)).toEqual(row);
  });

  it("what this isolate learns (an edit, a deletion) replaces the cached value at once", async () => {
    const { state, lookup } = rowLookup(row);
    await currentAccess(lookup, VIDEO, 30_000);
    rememberAccess(VIDEO, { ...row, visibility: "private", accessEpoch: 1 }, 30_000);
    expect(await currentAccess(lookup, VIDEO, 30_000)).toMatchObject({ accessEpoch: 1 });
    rememberAccess(VIDEO, null, 30_000);
    expect(await currentAccess(lookup, VIDEO, 30_000)).toBeNull();
    expect(state.queries).toBe(1);
  });

  it("with the cache off (0 s), every request reads", async () => {
    const { state, lookup } = rowLookup(row);
    await currentAccess(lookup, VIDEO, 0);
    await currentAccess(lookup, VIDEO, 0);
    expect(state.queries).toBe(2);
  });
});
