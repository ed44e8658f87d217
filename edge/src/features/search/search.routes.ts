/**
 * `GET /api/search`: ranked full-text search over what anyone may see (ADR 0021). Public,
 * like every other read; signed in, the caller's own tokens name them as other lists do.
 */
import { createRoute } from "@hono/zod-openapi";
import { SearchQuery, SearchResponse } from "@streamline/contracts";
import { errors, json, OPTIONAL_BEARER, openApiRouter } from "../../lib/openapi.ts";
import { VIDEO } from "../../lib/openapi-examples.ts";
import { optionalAuth } from "../auth/auth.middleware.ts";
import { SearchService } from "./search.service.ts";

const EXAMPLE = {
  videos: [
    {
      ...VIDEO,
      highlight: {
        title: { text: VIDEO.title, ranges: [[0, 3]] },
        description: { text: "…time-lapse of the bay at dusk…", ranges: [[20, 23]] },
        captions: null,
      },
    },
  ],
  channels: [
    {
      handle: "bay-films",
      displayName: "Bay Films",
      description: "Time-lapses of the bay.",
      avatarUrl: null,
      subscriberCount: 12,
      videoCount: 40,
      highlight: {
        displayName: { text: "Bay Films", ranges: [[0, 3]] },
        handle: { text: "bay-films", ranges: [[0, 3]] },
      },
    },
  ],
  nextCursor: "eyJzIjoicmVsZXZhbmNlIiwidiI6LTQuMiwiaWQiOiJ2XzNmSmsyTG1OOHBRcjVzVHUifQ",
};

const search = createRoute({
  method: "get",
  path: "/",
  tags: ["search"],
  summary: "Ranked full-text search of public videos and channels",
  description:
    "Words are matched in titles, tags, channel names and handles, descriptions and caption text (bm25, in that order of weight); the last word also matches as a prefix; accents are folded. The query is words only: quotes, `*`, `-`, `NEAR(` and the like are not syntax. Only the first 12 words count. `highlight` marks the matched words as `[start, end)` ranges of `text` (UTF-16 indices), never HTML.",
  security: OPTIONAL_BEARER,
  middleware: [optionalAuth()] as const,
  request: { query: SearchQuery },
  responses: {
    200: json(SearchResponse, "One page of results", EXAMPLE),
    ...errors(400, 401),
  },
});

export const searchRoutes = openApiRouter().openapi(search, async (c) =>
  c.json(await new SearchService(c.var.services).search(c.req.valid("query"), c.var.userId), 200),
);
