/**
 * The edge's calls to the transcoder fleet besides job dispatch: cancel a running job
 * (its video was deleted) and read the node registry. Signed like job dispatch.
 */
import { SIGNATURE_HEADER, signBody } from "@streamline/contracts";
import type { Config } from "../../config.ts";

type FleetConfig = Pick<Config, "TRANSCODER_URL" | "TRANSCODER_SECRET">;

const base = (config: FleetConfig) => config.TRANSCODER_URL.replace(/\/$/, "");

export async function cancelJob(
  config: FleetConfig,
  job: { jobId: string; videoId: string; reason: string },
  fetcher = fetch,
) {
  const body = JSON.stringify(job);
  const res = await fetcher(`${base(config)}/jobs/${encodeURIComponent(job.jobId)}/cancel`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      [SIGNATURE_HEADER]: await signBody(config.TRANSCODER_SECRET, body),
    },
    body,
    signal: AbortSignal.timeout(5000),
  });
  await res.text().catch(() => "");
  return res.status;
}

export async function fleetStatus(config: FleetConfig, fetcher = fetch): Promise<unknown> {
  const res = await fetcher(`${base(config)}/fleet`, {
    headers: { [SIGNATURE_HEADER]: await signBody(config.TRANSCODER_SECRET, "") },
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`fleet answered ${res.status}`);
  return res.json();
}
