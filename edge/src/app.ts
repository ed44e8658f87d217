/**
 * The Hono app: middleware, routes and the one error handler. Page requests that are not
 * API, media or WebSocket go to the Astro site Worker over the SITE service binding, so
 * the browser sees one origin.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { myAnalyticsRoutes, videoAnalyticsRoutes } from "./features/analytics/analytics.routes.ts";
import { apiKeysRoutes } from "./features/auth/api-keys.routes.ts";
import { authRoutes } from "./features/auth/auth.routes.ts";
import { emailRoutes } from "./features/auth/email.routes.ts";
import { meRoutes } from "./features/auth/me.routes.ts";
import { sessionsRoutes } from "./features/auth/sessions.routes.ts";
import { captionsRoutes } from "./features/captions/captions.routes.ts";
import {
  channelImageDeliveryRoutes,
  channelImageUploadRoutes,
} from "./features/channels/channel-images.routes.ts";
import { channelsRoutes, myChannelRoutes } from "./features/channels/channels.routes.ts";
import { clipsRoutes } from "./features/clips/clips.routes.ts";
import {
  blockedWordsRoutes,
  commentsRoutes,
  videoCommentsRoutes,
} from "./features/comments/comments.routes.ts";
import { deliveryRoutes } from "./features/delivery/delivery.routes.ts";
import { docsRoutes } from "./features/docs/docs.routes.ts";
import { downloadsRoutes } from "./features/downloads/downloads.routes.ts";
import { embedFraming } from "./features/embeds/embed-framing.ts";
import { oembedRoutes } from "./features/embeds/oembed.routes.ts";
import { thumbnailRoutes } from "./features/embeds/thumbnail.routes.ts";
import { eventsRoutes } from "./features/events/events.routes.ts";
import { fleetRoutes } from "./features/fleet/fleet.routes.ts";
import { healthRoutes } from "./features/health/health.routes.ts";
import { devMailRoutes } from "./features/mail/dev-mail.routes.ts";
import { metricsRoutes } from "./features/metrics/metrics.routes.ts";
import { requestMetrics } from "./features/metrics/request-metrics.ts";
import { moderationAdminRoutes, reportsRoutes } from "./features/moderation/moderation.routes.ts";
import { notificationsRoutes, notificationsWsRoutes } from "./features/notifications/notifications.routes.ts";
import { identitiesRoutes } from "./features/oidc/identities.routes.ts";
import { oidcRoutes } from "./features/oidc/oidc.routes.ts";
import { postersRoutes } from "./features/posters/posters.routes.ts";
import { preferencesRoutes } from "./features/preferences/preferences.routes.ts";
import { ticketRoutes, wsRoutes } from "./features/progress/progress.routes.ts";
import { reactionsRoutes } from "./features/reactions/reactions.routes.ts";
import { relatedRoutes } from "./features/related/related.routes.ts";
import { searchRoutes } from "./features/search/search.routes.ts";
import {
  feedRoutes,
  mySubscriptionsRoutes,
  subscriptionRoutes,
} from "./features/subscriptions/subscriptions.routes.ts";
import { trendingRoutes } from "./features/trending/trending.routes.ts";
import { uploadsRoutes } from "./features/uploads/uploads.routes.ts";
import { videosRoutes } from "./features/videos/videos.routes.ts";
import { historyRoutes } from "./features/views/history.routes.ts";
import { viewsRoutes } from "./features/views/views.routes.ts";
import { webhooksRoutes } from "./features/webhooks/webhooks.routes.ts";
import type { AppEnv } from "./lib/app-env.ts";
import { AppError, errorResponse } from "./lib/errors.ts";
import { defaultHook } from "./lib/openapi.ts";
import { services } from "./lib/services.ts";
import { apiBodyLimit } from "./middleware/body-limit/index.ts";
import { apiCors } from "./middleware/cors/index.ts";
import { requestId } from "./middleware/request-id/index.ts";
import { securityHeaders } from "./middleware/security-headers/index.ts";

const root = new OpenAPIHono<AppEnv>({ defaultHook });

/** A `%` not followed by two hex digits: a malformed percent-escape. */
const MALFORMED_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
root.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
  type: "http",
  scheme: "bearer",
  bearerFormat: "JWT",
  description: "Access token from signup, login or refresh (≤ 15 min)",
});

/** The OpenAPI 3.1 document of every route registered below. */
export function openApiDocument(c: Pick<Context<AppEnv>, "req">) {
  const document = root.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Streamline API",
      version: "0.1.0",
      description:
        "Upload, transcode and stream video. Errors are `{ error: { code, message, issues? } }` with the right status.",
    },
    servers: [{ url: new URL(c.req.url).origin, description: "This deployment" }],
    tags: TAGS,
  });
  // Hono's regex params (`{path{.+}}`) are plain `{path}` templates in OpenAPI.
  document.paths = Object.fromEntries(
    Object.entries(document.paths ?? {}).map(([path, item]) => [openApiPath(path), item]),
  );
  return document;
}

/** `/v/:id/:token/:path{.+}` or `/v/{id}/{token}/{path{.+}}` → `/v/{id}/{token}/{path}`. */
export function openApiPath(path: string): string {
  return path.replace(/\{(\w+)\{[^}]*\}\}/g, "{$1}").replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
}

const TAGS = [
  { name: "auth", description: "Accounts: signup, login, refresh-cookie rotation, logout" },
  { name: "account", description: "The signed-in caller: profile, own videos, sessions" },
  { name: "uploads", description: "Direct-to-storage multipart uploads" },
  { name: "videos", description: "Metadata, edits, deletion, posters, playback" },
  { name: "captions", description: "WebVTT / SubRip caption tracks" },
  { name: "comments", description: "Comments, replies, likes, review of held comments, blocked words" },
  { name: "channels", description: "Channel pages, their videos, the owner's edits and images" },
  { name: "subscriptions", description: "Subscribing to channels and the subscription feed" },
  { name: "search", description: "Ranked full-text search of videos and channels" },
  { name: "notifications", description: "The caller's notifications, read state and live socket" },
  { name: "progress", description: "Live transcode progress over WebSockets" },
  { name: "delivery", description: "Signed HLS media (token in the path)" },
  { name: "admin", description: "Operators, moderators: the report queue, actions, audit log" },
  { name: "moderation", description: "Reporting videos, comments and channels" },
  {
    name: "webhooks",
    description: "Signed event deliveries to the caller's endpoints, their log and redelivery",
  },
  { name: "internal", description: "The transcoder fleet's signed event intake" },
  { name: "health", description: "Component health" },
  { name: "docs", description: "This document and its interactive reference" },
];

export const app = root
  .use(requestId())
  .use(requestMetrics())
  .use(async (c, next) => {
    c.set("services", services(c.env));
    await next();
  })
  .use(securityHeaders())
  .use("/api/*", apiCors())
  // Media uploads through the edge (captions, posters) carry their own, larger body limits,
  // so they are mounted before the general 64 KiB JSON cap.
  .route("/api/videos", captionsRoutes)
  .route("/api/videos", postersRoutes)
  .route("/api/videos", thumbnailRoutes)
  // Before the channel image uploads (their `PUT /api/me/channel/{kind}` would claim the path).
  .use("/api/me/channel/blocked-words", apiBodyLimit())
  .route("/api/me/channel/blocked-words", blockedWordsRoutes)
  .route("/api/me/channel", channelImageUploadRoutes)
  .use("/api/*", apiBodyLimit())
  .route("/api/health", healthRoutes)
  .route("/api/auth", authRoutes)
  .route("/api/auth", emailRoutes)
  .route("/api/auth", oidcRoutes)
  .route("/api/me/preferences", preferencesRoutes)
  .route("/api/me/history", historyRoutes)
  .route("/api/me/identities", identitiesRoutes)
  .route("/api/me/channel", myChannelRoutes)
  .route("/api/me/subscriptions", mySubscriptionsRoutes)
  .route("/api/me/api-keys", apiKeysRoutes)
  .route("/api/me/webhooks", webhooksRoutes)
  .route("/api/me/analytics", myAnalyticsRoutes)
  .route("/api/me", meRoutes)
  .route("/api/channels", channelsRoutes)
  .route("/api/channels", subscriptionRoutes)
  .route("/api/feed", feedRoutes)
  .route("/api/trending", trendingRoutes)
  .route("/api/search", searchRoutes)
  .route("/api/notifications", notificationsRoutes)
  .route("/api/sessions", sessionsRoutes)
  .route("/api/uploads", uploadsRoutes)
  .route("/api/videos", videosRoutes)
  .route("/api/videos", videoCommentsRoutes)
  .route("/api/videos", reactionsRoutes)
  .route("/api/videos", videoAnalyticsRoutes)
  .route("/api/videos", relatedRoutes)
  .route("/api/videos", downloadsRoutes)
  .route("/api/videos", clipsRoutes)
  .route("/api/comments", commentsRoutes)
  .route("/api/views", viewsRoutes)
  .route("/api/ws-ticket", ticketRoutes)
  .route("/api/reports", reportsRoutes)
  .route("/api/admin", fleetRoutes)
  .route("/api/admin", metricsRoutes)
  .route("/api/admin", moderationAdminRoutes)
  .route("/ws/notifications", notificationsWsRoutes)
  .route("/ws", wsRoutes)
  .route("/internal/transcoder", eventsRoutes)
  .route("/v", deliveryRoutes)
  .route("/i", channelImageDeliveryRoutes)
  .route("/", docsRoutes(openApiDocument))
  .route("/", oembedRoutes)
  .use("/embed/:id", embedFraming())
  .route("/", devMailRoutes)
  .all("/api/*", () => {
    throw new AppError(404, "not_found", "no such endpoint");
  })
  .all("*", (c) => {
    if (!c.env.SITE) throw new AppError(404, "not_found", "site not deployed");
    // workerd's subrequest throws "Invalid URL string" on a `%` not followed by two hex
    // digits; such a request target is malformed (RFC 3986 §2.1), so it is the client's 400.
    if (MALFORMED_ESCAPE.test(c.req.raw.url)) {
      throw new AppError(400, "bad_request", "malformed percent-escape in the URL");
    }
    return c.env.SITE.fetch(c.req.raw);
  })
  .onError((err, c) => errorResponse(c, err));

export type App = typeof app;
