/**
 * The API describes itself on the real stack: `GET /api/openapi.json` passes a real
 * OpenAPI 3.1 validator (ajv-based, so it runs here in Node: workerd forbids the code
 * generation ajv relies on), and `/docs` renders the interactive reference in Chromium
 * with the network cut to loopback — everything it needs comes from the platform itself.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_ARGS, startE2EStack, toolsAvailable } from "./support.ts";

const ready = toolsAvailable("e2e docs", { chromium: true });
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

describe.skipIf(!ready)("API description (real stack + Chromium, offline)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startE2EStack();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // No name resolves except loopback: the page cannot reach a CDN even by accident.
      args: [...CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("GET /api/openapi.json is a valid OpenAPI 3.1 document", async () => {
    const res = await fetch(`${stack.origin}/api/openapi.json`);
    expect(res.status).toBe(200);
    const document = (await res.json()) as Record<string, unknown>;
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("/docs renders the reference with the network cut to loopback", async () => {
    const context = await browser.newContext();
    const blocked: string[] = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (LOOPBACK.has(url.hostname)) return route.continue();
      blocked.push(url.href);
      return route.abort("internetdisconnected");
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(String(e)));
    const res = await page.goto(`${stack.origin}/docs`);
    expect(res?.status()).toBe(200);
    // Scalar renders the document's operations: one summary from each end of the API.
    // The document's description, and the operations of the first tag (Scalar opens it).
    for (const text of ["Upload, transcode and stream video", "Create an account; signs in", "delivery"]) {
      await page.getByText(text, { exact: false }).first().waitFor({ timeout: 30_000 });
    }
    expect(await page.title()).toBe("Streamline API");
    // Nothing the page asked for was refused by its own CSP (the nonce'd init, the bundle).
    expect(problems.filter((p) => /Content Security Policy|Refused to/.test(p))).toEqual([]);
    console.log(
      `/docs rendered offline; external requests attempted (and blocked): ${blocked.length} ${blocked.join(" ")}`,
    );
    await context.close();
  });
});
