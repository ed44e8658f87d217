import { describe, expect, it } from "vitest";
import { tokenOf, withToken } from "./delivery-token.ts";

describe("delivery token rewriting", () => {
  const base = "http://127.0.0.1:8787";

  it("reads the token from a delivery path", () => {
    expect(tokenOf("/v/v_0000000000000001/aaa.bbb.ccc/master.m3u8", base)).toBe("aaa.bbb.ccc");
    expect(tokenOf("/api/videos/v_1", base)).toBeNull();
  });

  it("swaps the token in delivery URLs and leaves other URLs alone", () => {
    expect(withToken(`${base}/v/v_1/old.tok/720p/seg_003.m4s`, "new.tok", base)).toBe(
      `${base}/v/v_1/new.tok/720p/seg_003.m4s`,
    );
    expect(withToken(`${base}/v/v_1/same/master.m3u8`, "same", base)).toBe(`${base}/v/v_1/same/master.m3u8`);
    expect(withToken("https://cdn.example/other.ts", "new", base)).toBe("https://cdn.example/other.ts");
  });
});
