/**
 * `GET /oembed` — oEmbed 1.0 discovery answers for watch pages (ADR 0019). Public, read-only
 * data: any origin may read it (`access-control-allow-origin: *`, no credentials).
 */
import { createRoute } from "@hono/zod-openapi";
import { OEmbedQuery, OEmbedResponse } from "@streamline/contracts";
import { AppError } from "../../lib/errors.ts";
import { errorDoc, errors, json, openApiRouter } from "../../lib/openapi.ts";
import { VIDEO_ID } from "../../lib/openapi-examples.ts";
import { oembedFor } from "./oembed.service.ts";

const EXAMPLE: OEmbedResponse = {
  type: "video",
  version: "1.0",
  title: "Sunrise over the bay",
  author_name: "Alice",
  author_url: "https://streamline.example/c/alice",
  provider_name: "Streamline",
  provider_url: "https://streamline.example/",
  thumbnail_url: `https://streamline.example/v/${VIDEO_ID}/…/poster.jpg`,
  thumbnail_width: 1280,
  thumbnail_height: 720,
  html: `<iframe width="640" height="360" src="https://streamline.example/embed/${VIDEO_ID}" title="Sunrise over the bay" frameborder="0" allow="autoplay; fullscreen; picture-in-picture; encrypted-media" allowfullscreen></iframe>`,
  width: 640,
  height: 360,
};

const oembed = createRoute({
  method: "get",
  path: "/oembed",
  tags: ["videos"],
  summary: "oEmbed for a watch page address (type video, an iframe of /embed/:id)",
  description:
    "`url` is a `/watch/{id}` (or `/embed/{id}`) address of this site. The size defaults to 640 wide at the " +
    "video's aspect and fits `maxwidth`/`maxheight`. Unknown, private, unplayable or not-embeddable videos: 404. " +
    "`format=xml`: 501 (JSON only).",
  request: { query: OEmbedQuery },
  responses: {
    200: json(OEmbedResponse, "The oEmbed answer", EXAMPLE),
    ...errors(400, 404),
    501: errorDoc(501),
  },
});

export const oembedRoutes = openApiRouter().openapi(oembed, async (c) => {
  const query = c.req.valid("query");
  c.header("access-control-allow-origin", "*");
  if (query.format === "xml") throw new AppError(501, "not_implemented", "only format=json is served");
  const { SITE_ORIGIN } = c.var.services.config;
  const own = new URL(c.req.url).origin;
  const origin = SITE_ORIGIN[0] ?? own;
  const body = await oembedFor(c.var.services, query, origin, [own, ...SITE_ORIGIN]);
  c.header("cache-control", "public, max-age=300");
  return c.json(body, 200);
});
