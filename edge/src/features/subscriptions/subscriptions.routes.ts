/**
 * `PUT|DELETE /api/channels/:handle/subscription`, `GET /api/me/subscriptions` and
 * `GET /api/feed` (ADR 0017).
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  FeedQuery,
  FeedResponse,
  Handle,
  SubscriptionState,
  SubscriptionsQuery,
  SubscriptionsResponse,
} from "@streamline/contracts";
import type { AppEnv } from "../../lib/app-env.ts";
import { notFound } from "../../lib/errors.ts";
import { BEARER, errorDoc, errors, json, openApiRouter, validationHook } from "../../lib/openapi.ts";
import { IMAGE_SIG, USER_ID, VIDEO, VIDEO_ID } from "../../lib/openapi-examples.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { SubscriptionsService } from "./subscriptions.service.ts";

const tags = ["subscriptions"];
const params = z.object({ handle: Handle.meta({ example: "ana" }) });
const STATE = { subscribed: true, subscriberCount: 1204 };
const channelNotFound = errorDoc(404, { message: "channel not found" });

const subscribe = createRoute({
  method: "put",
  path: "/{handle}/subscription",
  tags,
  summary: "Subscribe to a channel (idempotent)",
  security: BEARER,
  middleware: [requireAuth(), rateLimit("RL_SUBSCRIPTIONS", (c) => c.var.userId)] as const,
  request: { params },
  responses: {
    200: json(SubscriptionState, "Subscribed; the channel's count", STATE),
    ...errors(401, 429),
    404: channelNotFound,
    409: errorDoc(409, {
      code: "cannot_subscribe_to_self",
      message: "you cannot subscribe to your own channel",
    }),
  },
});

const unsubscribe = createRoute({
  method: "delete",
  path: "/{handle}/subscription",
  tags,
  summary: "Unsubscribe from a channel (idempotent)",
  security: BEARER,
  middleware: [requireAuth(), rateLimit("RL_SUBSCRIPTIONS", (c) => c.var.userId)] as const,
  request: { params },
  responses: {
    200: json(SubscriptionState, "Not subscribed; the channel's count", { ...STATE, subscribed: false }),
    ...errors(401, 429),
    404: channelNotFound,
  },
});

/** A handle that cannot exist is simply a channel not found. */
const router = () =>
  new OpenAPIHono<AppEnv>({ defaultHook: validationHook({ param: () => notFound("channel") }) });

export const subscriptionRoutes = router()
  .openapi(subscribe, async (c) => {
    const service = new SubscriptionsService(c.var.services);
    return c.json(await service.subscribe(currentUserId(c), c.req.valid("param").handle), 200);
  })
  .openapi(unsubscribe, async (c) => {
    const service = new SubscriptionsService(c.var.services);
    return c.json(await service.unsubscribe(currentUserId(c), c.req.valid("param").handle), 200);
  });

const list = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "The caller's subscriptions, newest first",
  security: BEARER,
  middleware: [requireAuth()] as const,
  request: { query: SubscriptionsQuery },
  responses: {
    200: json(SubscriptionsResponse, "One page", {
      subscriptions: [
        {
          channel: {
            handle: "ana",
            displayName: "Ana Lima",
            avatarUrl: `/i/${IMAGE_SIG}/channels/${USER_ID}/avatar/a_Qw3Er5Ty7Ui9Op1As2Df/88.jpg`,
            subscriberCount: 1204,
          },
          subscribedAt: "2026-11-23T10:00:00.000Z",
        },
      ],
      nextCursor: null,
    }),
    ...errors(400, 401),
  },
});

export const mySubscriptionsRoutes = openApiRouter().openapi(list, async (c) =>
  c.json(await new SubscriptionsService(c.var.services).list(currentUserId(c), c.req.valid("query")), 200),
);

const feed = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "New public videos from the caller's subscriptions, newest first",
  security: BEARER,
  middleware: [requireAuth()] as const,
  request: { query: FeedQuery },
  responses: {
    200: json(FeedResponse, "One page", { videos: [VIDEO], nextCursor: `1763892300000.${VIDEO_ID}` }),
    ...errors(400, 401),
  },
});

export const feedRoutes = openApiRouter().openapi(feed, async (c) =>
  c.json(await new SubscriptionsService(c.var.services).feed(currentUserId(c), c.req.valid("query")), 200),
);
