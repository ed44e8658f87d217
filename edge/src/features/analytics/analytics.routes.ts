/**
 * Creator analytics (ADR 0023): `GET /api/me/analytics` (the caller's channel) and
 * `GET /api/videos/:id/analytics` (one of the caller's videos; 404 for anyone else).
 * Both answer from the daily roll-ups only.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { AnalyticsQuery, ChannelAnalytics, VideoAnalytics, VideoId } from "@streamline/contracts";
import { BEARER, errors, json, openApiRouter } from "../../lib/openapi.ts";
import { VIDEO_ID } from "../../lib/openapi-examples.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { channelAnalytics, videoAnalytics } from "./analytics.service.ts";

const RANGE =
  "`from`/`to` are UTC days (`YYYY-MM-DD`), both included: by default the last 28 days ending " +
  "today; at most 365 days (400 `invalid_range` / `validation_failed` otherwise). Days without " +
  "activity are zeros. Views and watch time per video are at most `VIEW_FLUSH_SECONDS` old; likes, " +
  "comments, subscribers and the channel's daily rows come from the cron's roll-up (every 5 min).";

const DAY = {
  day: "2026-12-07",
  views: 12,
  watchSec: 1830.5,
  likes: 2,
  comments: 1,
  subscribersGained: 1,
  subscribersLost: 0,
};
const TOTALS = {
  views: 12,
  watchSec: 1830.5,
  avgViewDurationSec: 152.5,
  avgPercentViewed: 42.4,
  likes: 2,
  comments: 1,
  subscribersGained: 1,
  subscribersLost: 0,
};
const SLICES = [{ key: "search", views: 7, watchSec: 1100 }];

const channel = createRoute({
  method: "get",
  path: "/",
  tags: ["account"],
  summary:
    "Analytics of the caller's channel: daily views, watch time, subscribers, top videos, sources, devices",
  description: RANGE,
  security: BEARER,
  middleware: [requireAuth()] as const,
  request: { query: AnalyticsQuery },
  responses: {
    200: json(ChannelAnalytics, "The report", {
      from: "2026-12-07",
      to: "2026-12-07",
      days: [DAY],
      totals: TOTALS,
      sources: SLICES,
      devices: [{ key: "desktop", views: 12, watchSec: 1830.5 }],
      topVideos: [
        {
          id: VIDEO_ID,
          title: "Morning",
          views: 12,
          watchSec: 1830.5,
          avgViewDurationSec: 152.5,
          avgPercentViewed: 42.4,
        },
      ],
    }),
    ...errors(400, 401),
  },
});

const video = createRoute({
  method: "get",
  path: "/{id}/analytics",
  tags: ["videos"],
  summary: "Analytics of one of the caller's videos, with its audience retention curve",
  description:
    `${RANGE} \`retention\` covers the video's whole life: 100 position buckets, \`relative\` to ` +
    "the most watched one (empty before any sample). Only the owner: 404 for anyone else.",
  security: BEARER,
  middleware: [requireAuth()] as const,
  request: { params: z.object({ id: VideoId.meta({ example: VIDEO_ID }) }), query: AnalyticsQuery },
  responses: {
    200: json(VideoAnalytics, "The report", {
      from: "2026-12-07",
      to: "2026-12-07",
      video: { id: VIDEO_ID, title: "Morning", durationSec: 360 },
      days: [DAY],
      totals: TOTALS,
      sources: SLICES,
      devices: [{ key: "phone", views: 12, watchSec: 1830.5 }],
      retention: [{ bucket: 0, samples: 40, relative: 100 }],
    }),
    ...errors(400, 401, 404),
  },
});

export const myAnalyticsRoutes = openApiRouter().openapi(channel, async (c) => {
  const report = await channelAnalytics(c.var.services, currentUserId(c), c.req.valid("query"));
  c.header("cache-control", "private, no-store");
  return c.json(report, 200);
});

export const videoAnalyticsRoutes = openApiRouter().openapi(video, async (c) => {
  const { id } = c.req.valid("param");
  const report = await videoAnalytics(c.var.services, currentUserId(c), id, c.req.valid("query"));
  c.header("cache-control", "private, no-store");
  return c.json(report, 200);
});
