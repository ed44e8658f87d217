/** Worker entry: HTTP (Hono app), queue consumers (jobs + dead letters), cron sweeper, Durable Objects. */
import { app } from "./app.ts";
import { consumeDeadLetters, consumeJobs, DLQ_NAME } from "./features/jobs/dispatch.ts";
import { services } from "./lib/services.ts";

export { VideoRoom } from "./features/progress/video-room.ts";

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    const s = services(env);
    if (batch.queue === DLQ_NAME) await consumeDeadLetters(batch, s);
    else await consumeJobs(batch, s);
  },
  async scheduled() {
    // The sweeper lands with the job-lease work (issue #5).
  },
} satisfies ExportedHandler<Env, unknown>;
