/**
 * What a transcoder node's own HTTP surface answers (transcoder/src/server.ts), for the
 * edge and tools that read it. Job payloads and events live in jobs.ts and events.ts.
 */
import { z } from "zod";

/** `GET /healthz` on a transcoder node: 200 while it admits jobs, 503 while draining. */
export const TranscoderHealth = z.object({
  ok: z.boolean(),
  /** NODE_ID of the node that answered. */
  node: z.string(),
  /** Jobs running on this node now. */
  running: z.number().int().nonnegative(),
  /** Job slots of this node (MAX_JOBS). */
  capacity: z.number().int().nonnegative(),
  /** Shutting down: finishing what runs, admitting nothing. */
  draining: z.boolean(),
});
export type TranscoderHealth = z.infer<typeof TranscoderHealth>;
