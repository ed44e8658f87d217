/**
 * Test helper: a real S3 API (@20minutes/s3rver) on a free port with a throw-away data
 * directory and the `streamline` bucket, plus an S3Storage and a raw signed client
 * pointed at it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "@20minutes/s3rver";
import { AwsClient } from "aws4fetch";
import { S3Storage } from "../storage.ts";

export interface TestS3 {
  endpoint: string;
  bucket: string;
  storage: S3Storage;
  /** Signed client for assertions (HEAD/GET) and seeding (PUT). */
  client: AwsClient;
  url(key: string): string;
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  close(): Promise<void>;
}

export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export async function startTestS3(bucket = "streamline"): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), "streamline-s3rver-"));
  const server = new S3rver({
    directory,
    address: "127.0.0.1",
    port: 0,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const storage = new S3Storage({ endpoint, bucket, region: "us-east-1", ...S3RVER_CREDENTIALS });
  const client = new AwsClient({ ...S3RVER_CREDENTIALS, region: "us-east-1", service: "s3", retries: 0 });
  const url = (key: string) => storage.url(key);
  return {
    endpoint,
    bucket,
    storage,
    client,
    url,
    async put(key, body, contentType = "application/octet-stream") {
      const res = await client.fetch(url(key), {
        method: "PUT",
        body: typeof body === "string" ? body : new Uint8Array(body),
        headers: { "content-type": contentType },
      });
      if (!res.ok) throw new Error(`seed PUT ${key}: HTTP ${res.status}`);
      await res.body?.cancel();
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
