/** Worker entry: HTTP (Hono app), queue consumers (jobs + dead letters), cron sweeper, Durable Objects. */
import { app } from "./app.ts";
import { rollUpAnalytics } from "./features/analytics/rollup.ts";
import { consumeDeadLetters, consumeJobs, DLQ_NAME } from "./features/jobs/dispatch.ts";
import { sweep } from "./features/jobs/sweeper.ts";
import { consumeNotifications, NOTIFY_QUEUE_NAME } from "./features/notifications/notifications.consumer.ts";
import { refreshTrending } from "./features/trending/trending.service.ts";
import {
  consumeWebhookDeadLetters,
  consumeWebhooks,
  WEBHOOKS_DLQ_NAME,
  WEBHOOKS_QUEUE_NAME,
} from "./features/webhooks/webhooks.consumer.ts";
import { log, withLogContext } from "./lib/log.ts";
import { services } from "./lib/services.ts";

export { NotificationsHub } from "./features/notifications/notifications-hub.ts";
export { VideoRoom } from "./features/progress/video-room.ts";
export { ViewCounter } from "./features/views/view-counter.ts";

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    const s = services(env);
    await withLogContext({ queue: batch.queue }, async () => {
      if (batch.queue === DLQ_NAME) await consumeDeadLetters(batch, s);
      else if (batch.queue === NOTIFY_QUEUE_NAME) await consumeNotifications(batch, s);
      else if (batch.queue === WEBHOOKS_QUEUE_NAME) await consumeWebhooks(batch, s);
      else if (batch.queue === WEBHOOKS_DLQ_NAME) await consumeWebhookDeadLetters(batch, s);
      else await consumeJobs(batch, s);
    });
  },
  async scheduled(controller, env, ctx) {
    const s = services(env);
    // The sweeper judges "silent" and "queued too long" as of the run's scheduled time (locally,
    // `/cdn-cgi/local/scheduled?time=` sets it: the restart test sweeps "an hour later").
    const now = controller.scheduledTime || Date.now();
    // One id per cron run: the attempts the sweeper starts carry it to the fleet (ADR 0028).
    withLogContext({ requestId: `cron-${crypto.randomUUID()}` }, () => {
      ctx.waitUntil(sweep(s, now).then((report) => log.info("sweeper", { report })));
      ctx.waitUntil(rollUpAnalytics(env.DB).then((report) => log.info("analytics rollup", { report })));
      ctx.waitUntil(refreshTrending(s).then((report) => log.info("trending refresh", { report })));
    });
  },
} satisfies ExportedHandler<Env, unknown>;
