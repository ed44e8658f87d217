import { DEFAULT_PREFERENCES, type PreferencesDto, type VideoDto } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { callJson, signUp, type TestUser } from "../../../test/auth.ts";

type ErrorBody = { error: { code: string; issues?: { path: string }[] } };

const prefs = (user: TestUser) =>
  callJson<PreferencesDto & ErrorBody>("/api/me/preferences", { headers: user.auth });
const setPrefs = (user: TestUser, body: unknown) =>
  callJson<PreferencesDto & ErrorBody>("/api/me/preferences", {
    method: "PATCH",
    json: body,
    headers: user.auth,
  });

async function uploadVisibility(user: TestUser, extra: Record<string, unknown> = {}) {
  const created = await callJson<{ videoId: string }>("/api/uploads", {
    method: "POST",
    json: { filename: "clip.mp4", size: 9_000_000, contentType: "video/mp4", ...extra },
    headers: user.auth,
  });
  expect(created.status).toBe(201);
  const video = await callJson<VideoDto>(`/api/videos/${created.body.videoId}`, { headers: user.auth });
  return video.body.visibility;
}

describe("/api/me/preferences", () => {
  it("answers the defaults before anything was saved", async () => {
    const user = await signUp();
    const res = await prefs(user);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(DEFAULT_PREFERENCES);
    expect(res.res.headers.get("cache-control")).toBe("private, no-store");
  });

  it("PATCH changes only the fields sent, and they stick", async () => {
    const user = await signUp();
    const first = await setPrefs(user, { theme: "light", autoplay: false });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ ...DEFAULT_PREFERENCES, theme: "light", autoplay: false });
    const second = await setPrefs(user, { historyPaused: true, emailNotifications: false });
    expect(second.body).toEqual({
      ...DEFAULT_PREFERENCES,
      theme: "light",
      autoplay: false,
      historyPaused: true,
      emailNotifications: false,
    });
    expect((await prefs(user)).body).toEqual(second.body);
    // Someone else's are untouched.
    expect((await prefs(await signUp())).body).toEqual(DEFAULT_PREFERENCES);
  });

  it.each([
    [{ theme: "sepia" }, "theme"],
    [{ defaultVisibility: "friends" }, "defaultVisibility"],
    [{ autoplay: "yes" }, "autoplay"],
    [{}, ""],
  ])("refuses %j with a 400", async (body, path) => {
    const res = await setPrefs(await signUp(), body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.issues?.map((i) => i.path)).toContain(path);
  });

  it("needs a signed-in caller", async () => {
    expect((await callJson("/api/me/preferences")).status).toBe(401);
    const res = await callJson("/api/me/preferences", { method: "PATCH", json: { theme: "dark" } });
    expect(res.status).toBe(401);
  });

  it("limits PATCH per user (RL_EDITS, 60 a minute): 429 with Retry-After, others unaffected", async () => {
    const user = await signUp();
    let refused: Awaited<ReturnType<typeof setPrefs>> | undefined;
    // The binding counts in wall-clock windows: the first refusal comes after 60 and before 122.
    for (let i = 0; i <= 121 && !refused; i++) {
      const res = await setPrefs(user, { autoplay: i % 2 === 0 });
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(200);
    }
    expect(refused?.body.error.code).toBe("rate_limited");
    expect(refused?.res.headers.get("retry-after")).toBe("60");
    expect((await setPrefs(await signUp(), { theme: "dark" })).status).toBe(200);
  });

  it("new uploads without a visibility follow defaultVisibility; an explicit one or a schedule wins", async () => {
    const user = await signUp();
    expect(await uploadVisibility(user)).toBe("public");
    await setPrefs(user, { defaultVisibility: "unlisted" });
    expect(await uploadVisibility(user)).toBe("unlisted");
    expect(await uploadVisibility(user, { visibility: "public" })).toBe("public");
    await setPrefs(user, { defaultVisibility: "public" });
    const publishAt = new Date(Date.now() + 3600_000).toISOString();
    expect(await uploadVisibility(user, { publishAt })).toBe("private");
  });
});
