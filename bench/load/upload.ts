/**
 * Upload throughput: C clients × S MiB through the real upload flow (create the upload on
 * the edge, PUT parts to the presigned URLs on the embedded S3 four at a time, record each
 * part, complete — scripts/lib/platform-client.ts `uploadFile`, what the API client does)
 * vs raw presigned PUTs of the same bytes, in the same part-sized pieces, four in flight per
 * client, to the same S3, same run. Target: the flow reaches ≥ 80 % of the raw throughput.
 */
import { randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, uploadFile } from "../../e2e/support.ts";
import { type BenchStack, benchAccount, benchS3 } from "../lib/bench-stack.ts";
import { appendResultsRow, load1, round } from "../lib/results.ts";

export const UPLOAD = {
  clients: Number(process.env.UPLOAD_CLIENTS ?? 20),
  mib: Number(process.env.UPLOAD_MIB ?? 100),
  inFlight: 4,
  /** The edge's part size (uploads.routes.ts): raw PUTs use the same pieces. */
  partBytes: 8 * 1024 * 1024,
};

/** The same bytes as `uploadFile` sends, as plain objects: `inFlight` presigned PUTs at a time. */
async function rawPuts(objectUrl: (key: string) => string, file: string, size: number, client: number) {
  const parts = Math.ceil(size / UPLOAD.partBytes);
  const fd = openSync(file, "r");
  let next = 1;
  try {
    const worker = async () => {
      for (let n = next++; n <= parts; n = next++) {
        const offset = (n - 1) * UPLOAD.partBytes;
        const buf = Buffer.alloc(Math.min(UPLOAD.partBytes, size - offset));
        readSync(fd, buf, 0, buf.length, offset);
        // Presigned like the flow's part URLs (no payload hash on the client), then a plain PUT.
        const signed = await benchS3.sign(objectUrl(`bench-raw/${client}/${n}`), {
          method: "PUT",
          aws: { signQuery: true },
        });
        const res = await fetch(signed.url, { method: "PUT", body: buf }).catch((err: Error) => {
          throw new Error(`raw PUT ${client}/${n}: ${err.message} (${String(err.cause)})`);
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`raw PUT ${n}: ${res.status}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPLOAD.inFlight, parts) }, worker));
  } finally {
    closeSync(fd);
  }
}

async function timedAll(n: number, run: (i: number) => Promise<unknown>) {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => run(i)));
  return (performance.now() - t0) / 1000;
}

export async function uploadSection(b: BenchStack) {
  const dir = mkdtempSync(join(tmpdir(), "streamline-bench-upload-"));
  const size = UPLOAD.mib * 1024 * 1024;
  const file = join(dir, "source.mp4");
  writeFileSync(file, randomBytes(size));
  try {
    const tokens: string[] = [];
    for (let i = 0; i < UPLOAD.clients; i++) tokens.push(await benchAccount(b.origin, "up"));
    const loadStart = await load1();
    // Raw first, then the flow: each phase writes the same bytes to the same S3. The flow's
    // completes run after every client's parts, so the two costs show apart: the parts
    // (create + presigned PUTs + recording each part) and the complete (S3 assembling the object).
    const rawSec = await timedAll(UPLOAD.clients, (i) => rawPuts(b.objectUrl, file, size, i));
    const videoIds: string[] = [];
    const partsSec = await timedAll(UPLOAD.clients, async (i) => {
      const up = await uploadFile(b.origin, file, {
        token: tokens[i]!,
        concurrency: UPLOAD.inFlight,
        complete: false,
      }).catch((err: Error) => {
        throw new Error(`upload client ${i}: ${err.message} (${String(err.cause)})`);
      });
      videoIds[i] = up.videoId;
    });
    const completeSec = await timedAll(UPLOAD.clients, async (i) => {
      const done = await api(b.origin, `/api/uploads/${videoIds[i]}/complete`, {
        method: "POST",
        token: tokens[i]!,
      });
      if (done.status !== 202) throw new Error(`complete: ${done.status} ${JSON.stringify(done.body)}`);
    });
    const flowSec = partsSec + completeSec;
    const totalMiB = UPLOAD.clients * UPLOAD.mib;
    const result = {
      clients: UPLOAD.clients,
      mibEach: UPLOAD.mib,
      partsInFlight: UPLOAD.inFlight,
      raw: { seconds: round(rawSec), mibPerSec: round(totalMiB / rawSec) },
      flow: {
        seconds: round(flowSec),
        mibPerSec: round(totalMiB / flowSec),
        partsSeconds: round(partsSec),
        completeSeconds: round(completeSec),
      },
      ratio: round(rawSec / flowSec, 3),
      partsRatio: round(rawSec / partsSec, 3),
      load1: { start: loadStart, end: await load1() },
      target: "flow ≥ 80 % of raw",
    };
    await appendResultsRow(
      "## Load: upload throughput, presigned multipart vs raw PUTs (`npm run bench:load`)",
      [
        "Local stack (wrangler dev + the embedded S3 in the bench's Node process, loopback). Each client uploads the same random file",
        "through the real flow (create on the edge, presigned part PUTs 4 at a time, each part recorded, complete: `uploadFile` in",
        "scripts/lib/platform-client.ts) vs raw presigned PUTs of the same 8 MiB pieces as plain objects, 4 in flight per client, to the same S3, in the",
        "same run (raw first). The flow's completes start once every client's parts are in, so the two costs show apart. Throughput =",
        "all bytes / wall time. Target: flow ≥ 80 % of raw.",
        "",
        "| date | clients × size | raw PUTs | presigned multipart flow (parts + complete) | flow / raw | parts only / raw | load 1m |",
        "| --- | --- | --- | --- | --- | --- | --- |",
      ],
      `| ${new Date().toISOString().slice(0, 16)}Z | ${UPLOAD.clients} × ${UPLOAD.mib} MiB, 4 parts in flight | ${result.raw.mibPerSec} MiB/s (${result.raw.seconds} s) | ${result.flow.mibPerSec} MiB/s (${result.flow.partsSeconds} s + ${result.flow.completeSeconds} s) | **${round(result.ratio * 100, 1)} %** | ${round(result.partsRatio * 100, 1)} % | ${loadStart} → ${result.load1.end} |`,
    );
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
