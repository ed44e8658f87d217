/**
 * Channel images: `PUT /api/me/channel/avatar|banner` (raw JPEG/PNG/WebP ≤ 10 MiB, the bytes
 * must be what they claim; the fleet renders the sizes pages use) and `GET /i/<sig>/<key>`,
 * the signed, immutable path the rendered files are served from (channel-images.ts).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { ChannelImageKind, ChannelImageUploadResponse } from "@streamline/contracts";
import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError } from "../../lib/errors.ts";
import { acceptedImageType, MAX_IMAGE_UPLOAD_BYTES } from "../../lib/image-sniff.ts";
import { BEARER, BINARY, errorDoc, errors, json, openApiRouter } from "../../lib/openapi.ts";
import { IMAGE_SIG, USER_ID } from "../../lib/openapi-examples.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { apiBodyLimit } from "../../middleware/body-limit/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { emailUnverifiedDoc, requireVerifiedEmail } from "../auth/email-verification.ts";
import { IMAGE_KEY_PATTERN, signatureMatches } from "./channel-images.ts";
import { ChannelsService } from "./channels.service.ts";

const upload = createRoute({
  method: "put",
  path: "/{kind}",
  tags: ["channels"],
  summary: "Upload the caller's channel avatar or banner; the fleet renders its sizes",
  description:
    "Avatars become 48, 88 and 176 px squares, banners 1280×212 and 2560×424 (centre-cropped). " +
    "`GET /api/me/channel` shows `pending` until the new URLs are in place, or the `failure`.",
  security: BEARER,
  middleware: [
    apiBodyLimit(MAX_IMAGE_UPLOAD_BYTES),
    requireAuth(),
    rateLimit("RL_MEDIA_UPLOADS", (c) => c.var.userId),
    requireVerifiedEmail(),
  ] as const,
  request: {
    params: z.object({ kind: ChannelImageKind.meta({ example: "avatar" }) }),
    body: {
      required: true,
      description: `The image, at most ${MAX_IMAGE_UPLOAD_BYTES} bytes; its bytes must match its type`,
      content: {
        "image/jpeg": { schema: BINARY },
        "image/png": { schema: BINARY },
        "image/webp": { schema: BINARY },
      },
    },
  },
  responses: {
    202: json(ChannelImageUploadResponse, "Stored; rendering is queued", { status: "processing" }),
    ...errors(401, 404, 413, 429),
    403: emailUnverifiedDoc,
    415: errorDoc(415, { message: "channel images must be JPEG, PNG or WebP images" }),
  },
});

export const channelImageUploadRoutes = openApiRouter().openapi(upload, async (c) => {
  const { kind } = c.req.valid("param");
  const userId = currentUserId(c);
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  const type = acceptedImageType(c.req.header("content-type"), bytes);
  if (!type)
    throw new AppError(415, "unsupported_media_type", "channel images must be JPEG, PNG or WebP images");
  await ChannelsService.from(c.var.services).uploadImage(userId, kind, bytes, type);
  return c.json({ status: "processing" as const }, 202);
});

/** A rendered version's files never change (a new upload is a new version): cache them for good. */
const IMMUTABLE = "public, max-age=31536000, immutable";
const missing = () => new AppError(404, "not_found", "image not found");

const serveRoute = createRoute({
  method: "get",
  path: "/{sig}/{key{.+}}",
  tags: ["delivery"],
  summary: "A rendered channel image (signed key, immutable)",
  description: "Only keys the edge published (HMAC under DELIVERY_SECRET in the path) are served.",
  request: {
    params: z.object({
      sig: z.string().meta({ example: IMAGE_SIG }),
      key: z.string().meta({ example: `channels/${USER_ID}/avatar/a_Qw3Er5Ty7Ui9Op1As2Df/88.jpg` }),
    }),
  },
  responses: {
    200: {
      description: "The JPEG",
      headers: { "cache-control": { schema: { type: "string" as const } } },
      content: { "image/jpeg": { schema: BINARY } },
    },
    404: errorDoc(404, { message: "image not found" }),
  },
});

async function serveImage(c: Context<AppEnv>): Promise<Response> {
  const [, , sig, ...rest] = c.req.path.split("/"); // ["", "i", sig, ...key]
  const key = rest.join("/");
  const { services } = c.var;
  if (!sig || !IMAGE_KEY_PATTERN.test(key)) throw missing();
  if (!(await signatureMatches(services.config.DELIVERY_SECRET, key, sig))) throw missing();
  const object = await services.media.get(key);
  if (!object) throw missing();
  const headers = new Headers({
    "content-type": "image/jpeg",
    "cache-control": IMMUTABLE,
    "x-content-type-options": "nosniff",
    "access-control-allow-origin": "*",
    "content-length": String(object.size),
  });
  if (object.etag) headers.set("etag", object.etag);
  return new Response(object.body, { status: 200, headers });
}

export const channelImageDeliveryRoutes = openApiRouter().openapi(serveRoute, (c) => serveImage(c));
