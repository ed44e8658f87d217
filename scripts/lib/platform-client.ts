/**
 * A client for the platform's public API as the browser uses it: JSON calls with a Bearer
 * token, multipart uploads through presigned URLs straight to S3 (ETags reported to the
 * edge), and polling a video until it reaches a state. Shared by the e2e tests, the
 * benchmarks and scripts/screenshots.ts.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export type Json = Record<string, unknown>;

export async function api<T = Json>(
  origin: string,
  path: string,
  init: RequestInit & { json?: unknown; token?: string } = {},
) {
  const { json, token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  if (token) headers.set("authorization", `Bearer ${token}`);
  const res = await fetch(`${origin}${path}`, {
    ...rest,
    headers,
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}

type PartUrl = { partNumber: number; url: string };

/**
 * Uploads a file through presigned multipart URLs, `concurrency` parts at a time (asking
 * `/urls` for parts past the first 100 the create response carries), then completes it
 * unless `complete: false`. Returns the videoId, part count and file size.
 */
export async function uploadFile(
  origin: string,
  file: string,
  opts: {
    title?: string;
    contentType?: string;
    token?: string;
    concurrency?: number;
    complete?: boolean;
  } = {},
) {
  const size = statSync(file).size;
  const auth = opts.token ? { token: opts.token } : {};
  const created = await api<{ videoId: string; partSize: number; partCount: number; parts: PartUrl[] }>(
    origin,
    "/api/uploads",
    {
      method: "POST",
      json: {
        filename: file.split("/").pop(),
        size,
        contentType: opts.contentType ?? "video/mp4",
        title: opts.title,
      },
      ...auth,
    },
  );
  if (created.status !== 201)
    throw new Error(`create upload: ${created.status} ${JSON.stringify(created.body)}`);
  const { videoId, partSize, partCount } = created.body;
  const urls = new Map(created.body.parts.map((p) => [p.partNumber, p.url]));
  const fd = openSync(file, "r");
  try {
    let next = 1;
    const worker = async () => {
      for (let n = next++; n <= partCount; n = next++) {
        if (!urls.has(n)) {
          const partNumbers = Array.from({ length: Math.min(100, partCount - n + 1) }, (_, i) => n + i);
          const more = await api<{ parts: PartUrl[] }>(origin, `/api/uploads/${videoId}/urls`, {
            method: "POST",
            json: { partNumbers },
            ...auth,
          });
          if (more.status !== 200) throw new Error(`urls: ${more.status} ${JSON.stringify(more.body)}`);
          for (const p of more.body.parts) urls.set(p.partNumber, p.url);
        }
        const offset = (n - 1) * partSize;
        const length = Math.min(partSize, size - offset);
        const buf = Buffer.alloc(length);
        readSync(fd, buf, 0, length, offset);
        const put = await fetch(urls.get(n)!, { method: "PUT", body: buf });
        if (put.status !== 200) throw new Error(`PUT part ${n}: ${put.status} ${await put.text()}`);
        const rec = await api(origin, `/api/uploads/${videoId}/parts/${n}`, {
          method: "PUT",
          json: { etag: put.headers.get("etag"), size: length },
          ...auth,
        });
        if (rec.status !== 204)
          throw new Error(`record part ${n}: ${rec.status} ${JSON.stringify(rec.body)}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, partCount) }, worker));
  } finally {
    closeSync(fd);
  }
  if (opts.complete !== false) {
    const done = await api(origin, `/api/uploads/${videoId}/complete`, { method: "POST", ...auth });
    if (done.status !== 202) throw new Error(`complete: ${done.status} ${JSON.stringify(done.body)}`);
  }
  return { videoId, partCount, size };
}

export async function waitForVideo<T extends Json>(
  origin: string,
  videoId: string,
  until: (v: T) => boolean,
  timeoutMs = 180_000,
  token?: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    const res = await api<T>(origin, `/api/videos/${videoId}`, token ? { token } : {});
    last = res.body;
    if (res.status === 200 && until(res.body)) return res.body;
    await sleep(500);
  }
  throw new Error(`video ${videoId} did not reach the expected state; last: ${JSON.stringify(last)}`);
}
