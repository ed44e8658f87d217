/**
 * ObjectStore over the R2 binding: used for media reads in production (no SigV4 round
 * trip, no egress through the S3 API). Presigning needs the S3 API, so uploads stay on S3Store.
 */
import type { ByteRange, ObjectMeta, ObjectStore, PutOptions, StoredObject } from "./object-store.ts";

function meta(o: R2Object): ObjectMeta {
  return {
    size: o.size,
    etag: o.httpEtag,
    contentType: o.httpMetadata?.contentType,
    cacheControl: o.httpMetadata?.cacheControl,
    lastModified: o.uploaded,
  };
}

export class R2Store
  implements Pick<ObjectStore, "get" | "head" | "put" | "delete" | "list" | "listPrefixes">
{
  private readonly bucket: R2Bucket;
  constructor(bucket: R2Bucket) {
    this.bucket = bucket;
  }

  async get(key: string, range?: ByteRange): Promise<StoredObject | null> {
    const obj = await this.bucket.get(key, range ? { range } : {});
    if (!obj) return null;
    const result: StoredObject = { ...meta(obj), body: obj.body };
    if (range && obj.range) {
      const r = obj.range as { offset?: number; length?: number; suffix?: number };
      const offset = r.suffix !== undefined ? obj.size - r.suffix : (r.offset ?? 0);
      const length = r.suffix !== undefined ? r.suffix : (r.length ?? obj.size - offset);
      result.range = { offset, length };
    }
    return result;
  }

  async head(key: string): Promise<ObjectMeta | null> {
    const o = await this.bucket.head(key);
    return o ? meta(o) : null;
  }

  async put(key: string, body: BodyInit, options: PutOptions = {}): Promise<void> {
    const httpMetadata: R2HTTPMetadata = {};
    if (options.contentType) httpMetadata.contentType = options.contentType;
    if (options.cacheControl) httpMetadata.cacheControl = options.cacheControl;
    await this.bucket.put(key, body as ReadableStream, { httpMetadata });
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length) await this.bucket.delete(keys);
  }

  async list(prefix: string, cursor?: string) {
    const res = await this.bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
    const keys = res.objects.map((o) => o.key);
    return res.truncated ? { keys, cursor: res.cursor } : { keys };
  }

  async listPrefixes(prefix: string) {
    const res = await this.bucket.list({ prefix, delimiter: "/" });
    return { prefixes: res.delimitedPrefixes };
  }
}
