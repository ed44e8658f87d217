/**
 * The embedded S3 server (@20minutes/s3rver) used by `npm run dev`, the edge tests and
 * the end-to-end tests: validates SigV4 and presign expiry, bucket + CORS made on start.
 */
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
// @ts-expect-error s3rver ships no types
import S3rver from "@20minutes/s3rver";

export const S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

/** Browsers PUT parts straight to storage and must read each part's ETag. */
export const CORS_XML = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export interface RunningS3 {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export async function startS3Server(opts: {
  directory: string;
  port: number;
  buckets?: string[];
}): Promise<RunningS3> {
  mkdirSync(opts.directory, { recursive: true });
  const server = new S3rver({
    directory: opts.directory,
    address: "127.0.0.1",
    port: opts.port,
    silent: true,
    configureBuckets: (opts.buckets ?? ["streamline"]).map((name) => ({ name, configs: [CORS_XML] })),
  });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close: () => server.close(),
  };
}
