/**
 * The storage contract of the edge: one interface, two implementations (S3 API via
 * aws4fetch — R2's S3 endpoint, MinIO or the embedded S3 server — and the R2 binding).
 */

export type ByteRange = { offset: number; length?: number } | { suffix: number };

export interface ObjectMeta {
  size: number;
  etag: string;
  contentType: string | undefined;
  cacheControl: string | undefined;
  lastModified: Date | undefined;
}

export interface StoredObject extends ObjectMeta {
  body: ReadableStream<Uint8Array>;
  /** Present when a range was requested and honoured. */
  range?: { offset: number; length: number };
}

export interface PutOptions {
  contentType?: string;
  cacheControl?: string;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/** A part as the storage holds it (ListParts). */
export interface ListedPart extends CompletedPart {
  size: number;
}

export interface ObjectStore {
  get(key: string, range?: ByteRange): Promise<StoredObject | null>;
  head(key: string): Promise<ObjectMeta | null>;
  put(key: string, body: BodyInit, options?: PutOptions): Promise<void>;
  delete(keys: string[]): Promise<void>;
  list(prefix: string, cursor?: string): Promise<{ keys: string[]; cursor?: string }>;
  /** The "folders" directly under `prefix` (delimiter "/"), one page. */
  listPrefixes(prefix: string): Promise<{ prefixes: string[] }>;
  createMultipart(key: string, contentType: string): Promise<string>;
  /** A URL that accepts exactly `contentLength` bytes for this part (the length is signed). */
  presignPart(
    key: string,
    uploadId: string,
    partNumber: number,
    expiresInSec: number,
    contentLength: number,
  ): Promise<string>;
  /** What storage holds for an unfinished upload; null when the server has no ListParts. */
  listParts(key: string, uploadId: string): Promise<ListedPart[] | null>;
  completeMultipart(key: string, uploadId: string, parts: CompletedPart[]): Promise<void>;
  abortMultipart(key: string, uploadId: string): Promise<void>;
}

/**
 * Deletes every object under `prefix` (all pages of the listing), or only those `which`
 * selects; returns how many it deleted.
 */
export async function deleteUnder(
  store: Pick<ObjectStore, "list" | "delete">,
  prefix: string,
  which: (key: string) => boolean = () => true,
): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await store.list(prefix, cursor);
    const keys = page.keys.filter(which);
    if (keys.length) await store.delete(keys);
    deleted += keys.length;
    cursor = page.cursor;
  } while (cursor);
  return deleted;
}

/** Everything under each prefix (a deleted video's objects, the sweeper's orphans). */
export async function deletePrefixes(store: Pick<ObjectStore, "list" | "delete">, prefixes: string[]) {
  for (const prefix of prefixes) await deleteUnder(store, prefix);
}

export class StorageError extends Error {
  readonly status: number;
  readonly s3Code: string | undefined;
  constructor(message: string, status: number, s3Code?: string) {
    super(message);
    this.status = status;
    this.s3Code = s3Code;
  }
}

/** Parses a single `Range: bytes=…` header; null = absent or unsupported (serve whole). */
export function parseRangeHeader(header: string | null | undefined): ByteRange | null | "invalid" {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return header.includes(",") ? null : "invalid";
  const [, start, end] = m;
  if (start === "" && end === "") return "invalid";
  if (start === "") return { suffix: Number(end) };
  const offset = Number(start);
  if (end === "") return { offset };
  const last = Number(end);
  if (last < offset) return "invalid";
  return { offset, length: last - offset + 1 };
}
