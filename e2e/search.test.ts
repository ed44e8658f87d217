/**
 * `/search` in Chromium on the real stack (ADR 0021). One short video is uploaded and
 * transcoded; a word that is only in its description finds it from the header's search box,
 * with the word marked in the card's snippet; the duration chips filter it in (under 4
 * minutes) and out (over 20 minutes: the no-results suggestions, whose "remove filters" link
 * brings it back); the channel's handle puts the channel on top. Axe and screenshots at
 * 375/1280 px in both themes, for results and for no results.
 */
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import { expectAccessible, shootThemes } from "./axe.ts";
import {
  api,
  openChromium,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
  uploadFile,
  waitForVideo,
} from "./support.ts";

const ready = toolsAvailable("e2e search", { ffmpeg: true, chromium: true });

describe.skipIf(!ready)("/search (real stack + Chromium)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let page: Page;
  let owner: Awaited<ReturnType<typeof signUpViaApi>>;
  let videoId: string;
  /** A word only the description holds (letters only: one token). */
  const word = `kelp${randomBytes(4).toString("hex").replace(/\d/g, "x")}`;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    let source: string;
    [stack, { "clip-640x360-2s.mp4": source }] = await Promise.all([
      startE2EStack(),
      ensureFixtures(["clip-640x360-2s.mp4"]),
    ]);
    owner = await signUpViaApi(stack.origin, "seek");
    ({ videoId } = await uploadFile(stack.origin, source, { token: owner.token, title: "Harbour at dawn" }));
    const patch = await api(stack.origin, `/api/videos/${videoId}`, {
      method: "PATCH",
      token: owner.token,
      json: { description: `Filmed from the old pier: the ${word} forest sways under the boats.` },
    });
    expect(patch.status).toBe(200);
    await waitForVideo<{ status: string }>(
      stack.origin,
      videoId,
      (v) => v.status === "ready",
      120_000,
      owner.token,
    );
    ({ browser, page, pageErrors } = await openChromium());
    page.on("response", (r) => {
      if (r.status() >= 400 && r.url().includes("/api/search")) pageErrors.push(`${r.status()} ${r.url()}`);
    });
  }, 360_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const resultIds = () =>
    page.$$eval("[data-testid=search-results] [data-testid=video-card]", (links) =>
      links.map((a) => (a as HTMLElement).dataset.videoId),
    );

  it("finds the video by a word only its description holds, from the header's search box", async () => {
    await page.goto(`${stack.origin}/`);
    await page.fill("[data-testid=search-input]", word);
    await Promise.all([page.waitForURL(/\/search\?q=/), page.press("[data-testid=search-input]", "Enter")]);
    await page.waitForSelector("[data-testid=search][data-state=ready]");
    expect(await resultIds()).toEqual([videoId]);
    expect(await page.textContent("[data-testid=search-results] [data-testid=video-title]")).toBe(
      "Harbour at dawn",
    );
    expect(
      await page.$$eval("[data-testid=search-snippet] mark", (m) => m.map((e) => e.textContent)),
    ).toEqual([word]);
    await expectAccessible(page, "/search (results)");
    await shootThemes(page, "search-results");
    expect(pageErrors).toEqual([]);
  });

  it("filters by duration with the chips; no results suggests removing the filters", async () => {
    await page.click("[data-testid=chip-duration] >> text=Under 4 minutes");
    await page.waitForURL(/duration=short/);
    await page.waitForSelector("[data-testid=search][data-state=ready]");
    expect(await resultIds()).toEqual([videoId]);
    expect(await page.getAttribute("[data-testid=chip-duration][aria-current=true]", "href")).toContain(
      "duration=short",
    );

    await page.click("[data-testid=chip-duration] >> text=Over 20 minutes");
    await page.waitForURL(/duration=long/);
    await page.waitForSelector("[data-testid=search][data-state=empty]");
    expect(await page.isVisible("[data-testid=search-empty]")).toBe(true);
    expect(await page.textContent("[data-testid=search-empty]")).toContain("Check the spelling");
    await expectAccessible(page, "/search (no results)");
    await shootThemes(page, "search-empty");

    await page.click("[data-testid=search-clear-filters]");
    await page.waitForSelector("[data-testid=search][data-state=ready]");
    expect(new URL(page.url()).searchParams.get("duration")).toBeNull();
    expect(await resultIds()).toEqual([videoId]);
    expect(pageErrors).toEqual([]);
  });

  it("puts the channel on top when the query is its handle", async () => {
    await page.goto(`${stack.origin}/search?q=${owner.handle}`);
    await page.waitForSelector("[data-testid=search][data-state=ready]");
    const channels = await page.$$eval("[data-testid=search-channel]", (a) =>
      a.map((e) => (e as HTMLElement).dataset.handle),
    );
    expect(channels).toEqual([owner.handle]);
    expect(await resultIds()).toEqual([videoId]); // the channel column of its video matches too
    expect(pageErrors).toEqual([]);
  });
});
