/**
 * OPTIONAL, UNVERIFIED: the transcoder fleet on Cloudflare Containers (README "Deploy to
 * Cloudflare", step 9). A tiny Worker in front of `transcoder/Dockerfile` containers: each
 * request goes to one of `FLEET_NODES` container-backed Durable Objects, which starts its
 * container with the fleet's environment and forwards the request to port 8790.
 *
 * Set the edge's TRANSCODER_URL to this Worker's URL. Everything the edge sends is signed
 * (ADR 0010), so the public URL needs no other guard. With more than one node, set REDIS_URL:
 * claims must be shared or a redelivered job can run twice (the memory backend is per node).
 *
 * Not verified: this repository's tests never run it (no account, no Docker engine here);
 * it follows the documented `ctx.container` API of Durable Objects with a container.
 */
import { DurableObject } from "cloudflare:workers";

interface FleetEnv {
  TRANSCODER_NODE: DurableObjectNamespace<TranscoderNode>;
  /** How many container instances to spread requests over (≤ max_instances). */
  FLEET_NODES?: string;
  EDGE_URL: string;
  TRANSCODER_SECRET: string;
  S3_ENDPOINT: string;
  S3_BUCKET: string;
  S3_REGION: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
  REDIS_URL?: string;
  MAX_JOBS?: string;
}

const PORT = 8790;
const PASSED = [
  "EDGE_URL",
  "TRANSCODER_SECRET",
  "S3_ENDPOINT",
  "S3_BUCKET",
  "S3_REGION",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
  "REDIS_URL",
  "MAX_JOBS",
] as const;

export class TranscoderNode extends DurableObject<FleetEnv> {
  override async fetch(request: Request): Promise<Response> {
    const container = this.ctx.container;
    if (!container) return new Response("no container bound", { status: 500 });
    if (!container.running) {
      const env: Record<string, string> = {
        HOST: "0.0.0.0",
        PORT: String(PORT),
        NODE_ID: this.ctx.id.toString(),
      };
      for (const key of PASSED) if (this.env[key]) env[key] = this.env[key] as string;
      container.start({ env, enableInternet: true });
      // Keep a node alive while jobs run: a transcode reports progress through the edge, not
      // through requests here, so a long idle timeout stands in for "jobs in flight".
      await container.setInactivityTimeout(30 * 60 * 1000);
    }
    // The first request after a start waits for the port (the node listens within seconds).
    for (let i = 0; ; i++) {
      try {
        return await container.getTcpPort(PORT).fetch(request.url, request);
      } catch (err) {
        if (i >= 30) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}

export default {
  async fetch(request, env) {
    const nodes = Math.max(1, Number(env.FLEET_NODES ?? "1"));
    // A dispatch refused with 429/503 is retried by the edge's queue, landing on another node.
    const name = `node-${Math.floor(Math.random() * nodes)}`;
    return env.TRANSCODER_NODE.get(env.TRANSCODER_NODE.idFromName(name)).fetch(request);
  },
} satisfies ExportedHandler<FleetEnv>;
