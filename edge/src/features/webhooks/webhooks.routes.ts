/**
 * `/api/me/webhooks` (ADR 0025): register endpoints (secret shown once), list, change, delete,
 * the delivery log and manual redelivery. A signed-in session or an API key with the
 * `webhooks` scope.
 */
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import {
  CreatedWebhookResponse,
  CreateWebhookBody,
  DeliveryIdParam,
  RedeliverResponse,
  UpdateWebhookBody,
  WebhookDeliveriesQuery,
  WebhookDeliveriesResponse,
  WebhookDto,
  WebhookIdParam,
  WebhookListResponse,
} from "@streamline/contracts";
import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";
import { notFound } from "../../lib/errors.ts";
import { BEARER, errorDoc, errors, json, jsonBody, validationHook } from "../../lib/openapi.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { webhookQueue } from "./emit.ts";
import { dohResolver } from "./target-guard.ts";
import { WebhooksRepo } from "./webhooks.repo.ts";
import { WebhooksService } from "./webhooks.service.ts";

const tags = ["webhooks"];
const HOOK: WebhookDto = {
  id: "wh_8fK2mQ9xL4pT7vN1sR3a",
  url: "https://example.com/hooks/streamline",
  events: ["video.ready", "video.failed"],
  enabled: true,
  disabledReason: null,
  createdAt: "2026-12-07T10:00:00.000Z",
};
const byUser = () => rateLimit("RL_EDITS", (c) => c.var.userId);
const REFUSED = errorDoc(422, {
  code: "webhook_url_refused",
  message: "this URL cannot receive webhooks: it resolves to a non-public address",
  description: "The target is not a public http(s) address (checked after DNS resolution)",
});

const list = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "The caller's webhook endpoints",
  security: BEARER,
  responses: {
    200: json(WebhookListResponse, "Endpoints, newest first", { webhooks: [HOOK] }),
    ...errors(401),
  },
});

const create = createRoute({
  method: "post",
  path: "/",
  tags,
  summary: "Register a webhook endpoint (its signing secret is shown once)",
  description:
    'Events: `upload.completed`, `video.playable`, `video.ready`, `video.failed`, `video.deleted`, `caption.ready`, `comment.created`. Each delivery is a POST of `{ id, type, createdAt, data }` signed with `Streamline-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`; `Streamline-Event-Id` is the idempotency key. The URL must be a public http(s) address. At most 10 endpoints. Limited per user (`RL_EDITS`).',
  security: BEARER,
  middleware: [byUser()] as const,
  request: {
    body: jsonBody(CreateWebhookBody, {
      url: "https://example.com/hooks/streamline",
      events: ["video.ready"],
    }),
  },
  responses: {
    201: json(CreatedWebhookResponse, "The endpoint and, once, its secret", {
      webhook: HOOK,
      secret: "whsec_…",
    }),
    409: errorDoc(409, { code: "too_many_webhooks", message: "at most 10 webhook endpoints" }),
    422: REFUSED,
    ...errors(400, 401, 403, 413, 415, 429),
  },
});

const update = createRoute({
  method: "patch",
  path: "/{id}",
  tags,
  summary: "Change an endpoint's URL, events, or switch it on/off",
  description: "Switching it on clears `disabledReason` (an endpoint that answered 410 is switched off).",
  security: BEARER,
  middleware: [byUser()] as const,
  request: { params: WebhookIdParam, body: jsonBody(UpdateWebhookBody, { enabled: true }) },
  responses: {
    200: json(WebhookDto, "The endpoint after the change", HOOK),
    422: REFUSED,
    ...errors(400, 401, 403, 404, 413, 415, 429),
  },
});

const remove = createRoute({
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Delete an endpoint and its delivery log",
  security: BEARER,
  middleware: [byUser()] as const,
  request: { params: WebhookIdParam },
  responses: { 204: { description: "Deleted" }, ...errors(401, 403, 404, 429) },
});

const deliveries = createRoute({
  method: "get",
  path: "/{id}/deliveries",
  tags,
  summary: "An endpoint's delivery log, newest first",
  description: "Each delivery with its status, last response code, latency, next attempt and every attempt.",
  security: BEARER,
  request: { params: WebhookIdParam, query: WebhookDeliveriesQuery },
  responses: {
    200: json(WebhookDeliveriesResponse, "One page", { deliveries: [], nextCursor: null }),
    ...errors(400, 401, 403, 404),
  },
});

const redeliver = createRoute({
  method: "post",
  path: "/{id}/deliveries/{d}/redeliver",
  tags,
  summary: "Send a delivery's event again (same event id)",
  security: BEARER,
  middleware: [byUser()] as const,
  request: { params: DeliveryIdParam },
  responses: {
    202: json(RedeliverResponse, "Queued as the delivery's next attempt", {
      deliveryId: "wd_3nT8qL1vX6mK9pR2sW4z",
      attempt: 4,
    }),
    409: errorDoc(409, {
      code: "delivery_in_progress",
      message: "this delivery is being attempted right now",
    }),
    ...errors(401, 403, 404, 429),
  },
});

function service(c: Context<AppEnv>): WebhooksService {
  const { db, env, config } = c.var.services;
  return new WebhooksService({
    repo: new WebhooksRepo(db),
    queue: webhookQueue(env),
    masterSecret: config.JWT_SECRET,
    guard: { allowHosts: config.WEBHOOK_ALLOW_HOSTS, resolve: dohResolver() },
    retryHours: config.WEBHOOK_RETRY_HOURS,
  });
}

const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook({ param: () => notFound("webhook") }) });
router.use(requireAuth(), async (c, next) => {
  await next();
  c.header("cache-control", "private, no-store");
});

export const webhooksRoutes = router
  .openapi(list, async (c) => c.json({ webhooks: await service(c).list(currentUserId(c)) }, 200))
  .openapi(create, async (c) => c.json(await service(c).create(currentUserId(c), c.req.valid("json")), 201))
  .openapi(update, async (c) =>
    c.json(await service(c).update(currentUserId(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(remove, async (c) => {
    await service(c).remove(currentUserId(c), c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(deliveries, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await service(c).deliveries(currentUserId(c), c.req.valid("param").id, limit, cursor), 200);
  })
  .openapi(redeliver, async (c) => {
    const { id, d } = c.req.valid("param");
    const attempt = await service(c).redeliver(currentUserId(c), id, d);
    return c.json({ deliveryId: d, attempt }, 202);
  });
