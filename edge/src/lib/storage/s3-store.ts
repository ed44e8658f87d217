/**
 * ObjectStore over the S3 API with aws4fetch (SigV4 header signing for server calls,
 * query signing for presigned part URLs). Path-style addressing so one code path serves
 * R2, MinIO and the embedded S3 server. Never parses ETags: formats differ by server.
 */
import { AwsClient, AwsV4Signer } from "aws4fetch";
import {
  type ByteRange,
  type CompletedPart,
  type ListedPart,
  type ObjectMeta,
  type ObjectStore,
  type PutOptions,
  StorageError,
  type StoredObject,
} from "./object-store.ts";

export interface S3StoreOptions {
  endpoint: string;
  /** Host browsers reach for presigned URLs; defaults to endpoint. */
  publicEndpoint?: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Retries of a 5xx/429 answer per S3 call (see the constructor). */
export const S3_RETRIES = 2;

const encodeKey = (key: string) => key.split("/").map(encodeURIComponent).join("/");

const xmlEscape = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[ch]!,
  );

function xmlTag(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m?.[1];
}

function rangeHeader(range: ByteRange): string {
  if ("suffix" in range) return `bytes=-${range.suffix}`;
  return range.length === undefined
    ? `bytes=${range.offset}-`
    : `bytes=${range.offset}-${range.offset + range.length - 1}`;
}

function metaFrom(res: Response, size: number): ObjectMeta {
  const lm = res.headers.get("last-modified");
  return {
    size,
    etag: res.headers.get("etag") ?? "",
    contentType: res.headers.get("content-type") ?? undefined,
    cacheControl: res.headers.get("cache-control") ?? undefined,
    lastModified: lm ? new Date(lm) : undefined,
  };
}

export class S3Store implements ObjectStore {
  private readonly client: AwsClient;
  private readonly credentials: { accessKeyId: string; secretAccessKey: string; region: string };
  private readonly base: string;
  private readonly publicBase: string;

  constructor(options: S3StoreOptions) {
    this.credentials = {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      region: options.region,
    };
    // aws4fetch retries a 5xx/429 itself, 10 times by default with doubling pauses: up to
    // ~50 s inside one Worker request, past any player's patience. Two retries (≤ 150 ms of
    // pauses) absorb a blip; callers bound the rest (delivery: storage-guard.ts).
    this.client = new AwsClient({ ...this.credentials, service: "s3", retries: S3_RETRIES });
    this.base = `${options.endpoint.replace(/\/$/, "")}/${options.bucket}`;
    this.publicBase = `${(options.publicEndpoint ?? options.endpoint).replace(/\/$/, "")}/${options.bucket}`;
  }

  private url(key: string, query = "", base = this.base) {
    return `${base}/${encodeKey(key)}${query}`;
  }

  private async call(
    url: string,
    init: RequestInit & { aws?: { signQuery?: boolean } },
    ok: number[] = [200],
  ) {
    const res = await this.client.fetch(url, init);
    if (!ok.includes(res.status)) {
      const text = await res.text().catch(() => "");
      const code = xmlTag(text, "Code");
      throw new StorageError(
        `S3 ${init.method ?? "GET"} ${res.status} ${code ?? ""}`.trim(),
        res.status,
        code,
      );
    }
    return res;
  }

  async get(key: string, range?: ByteRange): Promise<StoredObject | null> {
    if (range && "suffix" in range) {
      // Not every S3 server implements suffix ranges (s3rver doesn't): resolve it against the size.
      const meta = await this.head(key);
      if (!meta) return null;
      const length = Math.min(range.suffix, meta.size);
      if (length === 0) throw new StorageError("range not satisfiable", 416, "InvalidRange");
      range = { offset: meta.size - length, length };
    }
    const headers: Record<string, string> = range ? { range: rangeHeader(range) } : {};
    const res = await this.client.fetch(this.url(key), { method: "GET", headers });
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (res.status === 416) {
      await res.body?.cancel();
      throw new StorageError("range not satisfiable", 416, "InvalidRange");
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      throw new StorageError(`S3 GET ${res.status}`, res.status);
    }
    const contentRange = res.headers.get("content-range");
    const length = Number(res.headers.get("content-length") ?? 0);
    if (res.status === 206 && contentRange) {
      const m = /bytes (\d+)-(\d+)\/(\d+)/.exec(contentRange);
      if (m) {
        const offset = Number(m[1]);
        return {
          ...metaFrom(res, Number(m[3])),
          body: res.body!,
          range: { offset, length: Number(m[2]) - offset + 1 },
        };
      }
    }
    return { ...metaFrom(res, length), body: res.body! };
  }

  async head(key: string): Promise<ObjectMeta | null> {
    const res = await this.client.fetch(this.url(key), { method: "HEAD" });
    if (res.status === 404) return null;
    if (res.status !== 200) throw new StorageError(`S3 HEAD ${res.status}`, res.status);
    return metaFrom(res, Number(res.headers.get("content-length") ?? 0));
  }

  async put(key: string, body: BodyInit, options: PutOptions = {}): Promise<void> {
    const headers: Record<string, string> = {};
    if (options.contentType) headers["content-type"] = options.contentType;
    if (options.cacheControl) headers["cache-control"] = options.cacheControl;
    await this.call(this.url(key), { method: "PUT", body, headers });
  }

  async delete(keys: string[]): Promise<void> {
    // One DELETE per key: DeleteObjects needs Content-MD5, which not every S3 server accepts the same way.
    for (const key of keys) await this.call(this.url(key), { method: "DELETE" }, [200, 204, 404]);
  }

  async list(prefix: string, cursor?: string): Promise<{ keys: string[]; cursor?: string }> {
    const q = new URLSearchParams({ "list-type": "2", prefix, "max-keys": "1000" });
    if (cursor) q.set("continuation-token", cursor);
    const res = await this.call(`${this.base}?${q}`, { method: "GET" });
    const xml = await res.text();
    const keys = [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => decodeXml(m[1]!));
    const next = xmlTag(xml, "NextContinuationToken");
    return next ? { keys, cursor: next } : { keys };
  }

  async listPrefixes(prefix: string): Promise<{ prefixes: string[] }> {
    const q = new URLSearchParams({ "list-type": "2", prefix, delimiter: "/", "max-keys": "1000" });
    const xml = await (await this.call(`${this.base}?${q}`, { method: "GET" })).text();
    const prefixes = [...xml.matchAll(/<CommonPrefixes>\s*<Prefix>([^<]*)<\/Prefix>/g)].map((m) =>
      decodeXml(m[1]!),
    );
    return { prefixes };
  }

  async createMultipart(key: string, contentType: string): Promise<string> {
    const res = await this.call(this.url(key, "?uploads"), {
      method: "POST",
      headers: { "content-type": contentType },
    });
    const uploadId = xmlTag(await res.text(), "UploadId");
    if (!uploadId) throw new StorageError("S3 CreateMultipartUpload returned no UploadId", 502);
    return decodeXml(uploadId);
  }

  /**
   * A query-signed UploadPart URL. `Content-Length` is one of its signed headers, so the
   * storage refuses (403) a PUT of any other length: S3, R2 and the embedded S3 server all
   * check every header named in X-Amz-SignedHeaders. Browsers set Content-Length themselves.
   */
  async presignPart(
    key: string,
    uploadId: string,
    partNumber: number,
    expiresInSec: number,
    contentLength: number,
  ): Promise<string> {
    const url = new URL(this.url(key, "", this.publicBase));
    url.searchParams.set("partNumber", String(partNumber));
    url.searchParams.set("uploadId", uploadId);
    // aws4fetch presigns for 24 h unless X-Amz-Expires is on the URL before signing.
    url.searchParams.set("X-Amz-Expires", String(expiresInSec));
    // aws4fetch leaves content-length out of what it signs unless told to sign every header.
    const signer = new AwsV4Signer({
      ...this.credentials,
      service: "s3",
      url: url.toString(),
      method: "PUT",
      headers: { "content-length": String(contentLength) },
      signQuery: true,
      allHeaders: true,
    });
    return (await signer.sign()).url.toString();
  }

  /**
   * The parts storage holds for an upload (all pages), or null when the server has no
   * ListParts (the embedded S3 server answers 405): the caller then relies on its own records
   * and on HEAD after completion.
   */
  async listParts(key: string, uploadId: string): Promise<ListedPart[] | null> {
    const parts: ListedPart[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 20; page++) {
      const q = new URLSearchParams({ uploadId, "max-parts": "1000" });
      if (marker) q.set("part-number-marker", marker);
      const res = await this.client.fetch(this.url(key, `?${q}`), { method: "GET" });
      const xml = await res.text();
      if (res.status !== 200 || !xml.includes("<ListPartsResult")) {
        if (xmlTag(xml, "Code") === "NoSuchUpload")
          throw new StorageError("S3 ListParts 404", 404, "NoSuchUpload");
        return null;
      }
      const listed = parseListParts(xml);
      parts.push(...listed.parts);
      if (!listed.next) return parts;
      marker = listed.next;
    }
    return parts;
  }

  async completeMultipart(key: string, uploadId: string, parts: CompletedPart[]): Promise<void> {
    const body = `<CompleteMultipartUpload>${parts
      .map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${xmlEscape(p.etag)}</ETag></Part>`)
      .join("")}</CompleteMultipartUpload>`;
    const res = await this.call(this.url(key, `?uploadId=${encodeURIComponent(uploadId)}`), {
      method: "POST",
      body,
      headers: { "content-type": "application/xml" },
    });
    // S3 may answer 200 with an <Error> body for CompleteMultipartUpload.
    const text = await res.text();
    if (text.includes("<Error>")) {
      const code = xmlTag(text, "Code");
      throw new StorageError(`S3 CompleteMultipartUpload failed: ${code ?? "unknown"}`, 400, code);
    }
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.call(
      this.url(key, `?uploadId=${encodeURIComponent(uploadId)}`),
      { method: "DELETE" },
      [200, 204, 404],
    );
  }
}

/** One page of a ListPartsResult; `next` is the marker of the following page, if truncated. */
export function parseListParts(xml: string): { parts: ListedPart[]; next?: string } {
  const parts = [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
    partNumber: Number(xmlTag(m[1]!, "PartNumber")),
    size: Number(xmlTag(m[1]!, "Size")),
    etag: decodeXml(xmlTag(m[1]!, "ETag") ?? ""),
  }));
  if (xmlTag(xml, "IsTruncated") !== "true") return { parts };
  const next = xmlTag(xml, "NextPartNumberMarker") ?? String(parts.at(-1)?.partNumber ?? "");
  return next ? { parts, next } : { parts };
}

function decodeXml(s: string): string {
  return s.replace(
    /&(lt|gt|amp|apos|quot);/g,
    (_, e: string) => ({ lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' })[e]!,
  );
}
