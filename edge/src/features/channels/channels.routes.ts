/**
 * Channel pages' API: `GET /api/channels/:handle` and its videos (public), and the owner's
 * `GET|PATCH /api/me/channel`. A handle given up less than HANDLE_REDIRECT_DAYS ago answers
 * 308 to the same path under the new handle (ADR 0011).
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  ChannelResponse,
  ChannelVideosQuery,
  HANDLE_REDIRECT_DAYS,
  Handle,
  MyChannelResponse,
  UpdateChannelBody,
  VideoListResponse,
} from "@streamline/contracts";
import type { AppEnv } from "../../lib/app-env.ts";
import { notFound } from "../../lib/errors.ts";
import {
  BEARER,
  errorDoc,
  errors,
  json,
  jsonBody,
  OPTIONAL_BEARER,
  validationHook,
} from "../../lib/openapi.ts";
import { IMAGE_SIG, USER_ID, VIDEO } from "../../lib/openapi-examples.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { optionalAuth, requireAuth } from "../auth/auth.middleware.ts";
import { SubscriptionsRepo } from "../subscriptions/subscriptions.repo.ts";
import { ChannelsService } from "./channels.service.ts";

const tags = ["channels"];
const avatar = (size: number) =>
  `/i/${IMAGE_SIG}/channels/${USER_ID}/avatar/a_Qw3Er5Ty7Ui9Op1As2Df/${size}.jpg`;
const banner = (w: number, h: number) =>
  `/i/${IMAGE_SIG}/channels/${USER_ID}/banner/a_Zx8Cv6Bn4Mm2Lk0Jh9Gf/${w}x${h}.jpg`;
const CHANNEL = {
  handle: "ana",
  displayName: "Ana Lima",
  description: "Time-lapses of the bay. New video every Friday.\nhttps://ana.example",
  avatarUrl: avatar(176),
  avatarSrcset: `${avatar(48)} 48w, ${avatar(88)} 88w, ${avatar(176)} 176w`,
  bannerUrl: banner(1280, 212),
  bannerSrcset: `${banner(1280, 212)} 1280w, ${banner(2560, 424)} 2560w`,
  links: [{ title: "Website", url: "https://ana.example" }],
  subscriberCount: 0,
  videoCount: 12,
  totalViews: 0,
  createdAt: "2026-11-23T10:00:00.000Z",
};
const MINE = {
  channel: CHANNEL,
  avatar: { pending: false, failure: null },
  banner: { pending: true, failure: null },
  heldHandles: [{ handle: "ana-old", expiresAt: "2026-12-23T10:00:00.000Z" }],
};

/** A handle that cannot exist (bad shape, reserved) is simply not found. */
const router = () =>
  new OpenAPIHono<AppEnv>({ defaultHook: validationHook({ param: () => notFound("channel") }) });
const params = z.object({ handle: Handle.meta({ example: "ana" }) });
const moved = {
  description: `The handle was given up (less than ${HANDLE_REDIRECT_DAYS} days ago): the same path under the channel's new handle`,
  headers: {
    location: { schema: { type: "string" as const }, description: "e.g. `/api/channels/ana-lima`" },
  },
};
const channelNotFound = errorDoc(404, { message: "channel not found" });

const get = createRoute({
  method: "get",
  path: "/{handle}",
  tags,
  summary: "A channel's page: name, description, links, images, counts",
  security: OPTIONAL_BEARER,
  middleware: [optionalAuth()] as const,
  request: { params },
  responses: {
    200: json(ChannelResponse, "The channel", { channel: CHANNEL, subscribed: false }),
    308: moved,
    ...errors(401),
    404: channelNotFound,
  },
});

const videos = createRoute({
  method: "get",
  path: "/{handle}/videos",
  tags,
  summary: "A channel's public, ready videos: newest or most viewed first",
  security: OPTIONAL_BEARER,
  middleware: [optionalAuth()] as const,
  request: { params, query: ChannelVideosQuery },
  responses: {
    200: json(VideoListResponse, "One page", { videos: [VIDEO], nextCursor: `1763892300000.${VIDEO.id}` }),
    308: moved,
    ...errors(400, 401),
    404: channelNotFound,
  },
});

export const channelsRoutes = router()
  .openapi(get, async (c) => {
    const channels = ChannelsService.from(c.var.services);
    const found = await channels.lookup(c.req.valid("param").handle);
    if ("movedTo" in found) return redirectTo(c.req.url, found.movedTo);
    const [channel, subscribed] = await Promise.all([
      channels.toDto(found.channel),
      c.var.userId
        ? new SubscriptionsRepo(c.var.services.db).isSubscribed(c.var.userId, found.channel.userId)
        : false,
    ]);
    return c.json({ channel, subscribed }, 200);
  })
  .openapi(videos, async (c) => {
    const channels = ChannelsService.from(c.var.services);
    const found = await channels.lookup(c.req.valid("param").handle);
    if ("movedTo" in found) return redirectTo(c.req.url, found.movedTo);
    return c.json(await channels.videos(found.channel, c.req.valid("query"), c.var.userId), 200);
  });

/** 308 to the same path and query with the handle segment replaced; not cached (the redirect expires). */
function redirectTo(url: string, handle: string): Response {
  const target = new URL(url);
  const parts = target.pathname.split("/");
  parts[3] = handle; // ["", "api", "channels", "<handle>", …]
  return new Response(null, {
    status: 308,
    headers: { location: `${parts.join("/")}${target.search}`, "cache-control": "no-store" },
  });
}

const mine = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "The caller's channel, with pending image uploads and old handles still redirecting",
  security: BEARER,
  middleware: [requireAuth()] as const,
  responses: { 200: json(MyChannelResponse, "The caller's channel", MINE), ...errors(401) },
});

const update = createRoute({
  method: "patch",
  path: "/",
  tags,
  summary: "Edit the caller's channel: display name, description, links, handle",
  description: `A new handle keeps the old one redirecting (and reserved) for ${HANDLE_REDIRECT_DAYS} days.`,
  security: BEARER,
  middleware: [requireAuth(), rateLimit("RL_EDITS", (c) => c.var.userId)] as const,
  request: {
    body: jsonBody(UpdateChannelBody, {
      displayName: "Ana Lima",
      links: [{ title: "Website", url: "https://ana.example" }],
    }),
  },
  responses: {
    200: json(MyChannelResponse, "The edited channel", MINE),
    ...errors(400, 401, 413, 415, 429),
    409: errorDoc(409, { code: "handle_taken", message: "that handle is taken; choose another" }),
  },
});

export const myChannelRoutes = router()
  .openapi(mine, async (c) => c.json(await ChannelsService.from(c.var.services).mine(currentUserId(c)), 200))
  .openapi(update, async (c) => {
    const channels = ChannelsService.from(c.var.services);
    return c.json(await channels.update(currentUserId(c), c.req.valid("json")), 200);
  });
