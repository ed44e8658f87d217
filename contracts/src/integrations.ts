/**
 * The integrator surface (ADR 0025): API keys (`/api/me/api-keys`) and signed webhooks
 * (`/api/me/webhooks`), their event payloads and the queue messages that deliver them.
 */
import { z } from "zod";
import { NO_CONTROL_CHARS } from "./api.ts";

/** What an API key may do; each API route maps to one scope (edge features/api-keys/scopes.ts). */
export const ApiKeyScope = z.enum(["videos:read", "videos:write", "uploads", "analytics:read", "webhooks"]);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;
export const API_KEY_SCOPES = ApiKeyScope.options;

/** `sl_` + 43 base64url characters (32 random bytes). */
export const API_KEY_PATTERN = /^sl_[A-Za-z0-9_-]{43}$/;

const Name = z.string().trim().min(1).max(60).regex(NO_CONTROL_CHARS, "must not contain control characters");

export const CreateApiKeyBody = z.object({
  name: Name,
  scopes: z
    .array(ApiKeyScope)
    .min(1)
    .max(API_KEY_SCOPES.length)
    .transform((s) => [...new Set(s)]),
});
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;

export const ApiKeyDto = z.object({
  id: z.string(),
  name: z.string(),
  /** `sl_` + the first 8 characters: recognisable, not usable. */
  prefix: z.string(),
  scopes: z.array(ApiKeyScope),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type ApiKeyDto = z.infer<typeof ApiKeyDto>;

export const ApiKeyListResponse = z.object({ apiKeys: z.array(ApiKeyDto) });
export type ApiKeyListResponse = z.infer<typeof ApiKeyListResponse>;

/** The only time the secret leaves the server. */
export const CreatedApiKeyResponse = z.object({ apiKey: ApiKeyDto, key: z.string() });
export type CreatedApiKeyResponse = z.infer<typeof CreatedApiKeyResponse>;

export const ApiKeyIdParam = z.object({ id: z.string().regex(/^ak_[A-Za-z0-9]{20}$/) });

// ── webhooks ────────────────────────────────────────────────────────────────

export const WebhookEventType = z.enum([
  "upload.completed",
  "video.playable",
  "video.ready",
  "video.failed",
  "video.deleted",
  "caption.ready",
  "comment.created",
]);
export type WebhookEventType = z.infer<typeof WebhookEventType>;
export const WEBHOOK_EVENT_TYPES = WebhookEventType.options;

/** The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`. */
export const WEBHOOK_SIGNATURE_HEADER = "streamline-signature";
/** The event id: the idempotency key (the same on every attempt and redelivery). */
export const WEBHOOK_EVENT_ID_HEADER = "streamline-event-id";
/** Receivers should refuse a signature older (or newer) than this. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export const WebhookVideo = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(["uploading", "queued", "processing", "ready", "failed"]),
  playable: z.boolean(),
  visibility: z.enum(["public", "unlisted", "private"]),
  durationSec: z.number().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  failureReason: z.string().nullable(),
});
export type WebhookVideo = z.infer<typeof WebhookVideo>;

export const WebhookEventData = z.object({
  video: WebhookVideo,
  caption: z.object({ lang: z.string(), label: z.string() }).optional(),
  comment: z
    .object({
      id: z.string(),
      text: z.string(),
      parentId: z.string().nullable(),
      authorHandle: z.string().nullable(),
      held: z.boolean(),
    })
    .optional(),
});
export type WebhookEventData = z.infer<typeof WebhookEventData>;

/** The JSON body POSTed to an endpoint. */
export const WebhookEvent = z.object({
  id: z.string(),
  type: WebhookEventType,
  createdAt: z.string(),
  data: WebhookEventData,
});
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/** Messages on the `streamline-webhooks` queue. */
export const WebhookJob = z.discriminatedUnion("type", [
  /** An event happened to `ownerId`'s things: find their endpoints, create a delivery each. */
  z.object({ type: z.literal("event"), ownerId: z.string(), event: WebhookEvent }),
  /** Make attempt number `attempt` of one delivery. */
  z.object({ type: z.literal("deliver"), deliveryId: z.string(), attempt: z.number().int().min(1) }),
]);
export type WebhookJob = z.infer<typeof WebhookJob>;

const WebhookUrl = z
  .string()
  .trim()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), "must be an http(s) URL");

export const CreateWebhookBody = z.object({
  url: WebhookUrl,
  events: z
    .array(WebhookEventType)
    .min(1)
    .transform((e) => [...new Set(e)]),
  description: Name.optional(),
});
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

export const UpdateWebhookBody = z
  .object({
    url: WebhookUrl,
    events: z
      .array(WebhookEventType)
      .min(1)
      .transform((e) => [...new Set(e)]),
    enabled: z.boolean(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to update");
export type UpdateWebhookBody = z.infer<typeof UpdateWebhookBody>;

export const WebhookDto = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(WebhookEventType),
  enabled: z.boolean(),
  /** Why the platform switched it off (`gone`: the receiver answered 410), else null. */
  disabledReason: z.string().nullable(),
  createdAt: z.string(),
});
export type WebhookDto = z.infer<typeof WebhookDto>;

export const WebhookListResponse = z.object({ webhooks: z.array(WebhookDto) });
export type WebhookListResponse = z.infer<typeof WebhookListResponse>;

/** The only time the signing secret leaves the server. */
export const CreatedWebhookResponse = z.object({ webhook: WebhookDto, secret: z.string() });
export type CreatedWebhookResponse = z.infer<typeof CreatedWebhookResponse>;

export const WebhookIdParam = z.object({ id: z.string().regex(/^wh_[A-Za-z0-9]{20}$/) });
export const DeliveryIdParam = WebhookIdParam.extend({ d: z.string().regex(/^wd_[A-Za-z0-9]{20}$/) });

export const WebhookDeliveryStatus = z.enum(["pending", "retrying", "delivered", "failed"]);

export const WebhookAttemptDto = z.object({
  attempt: z.number().int(),
  at: z.string(),
  /** delivered | retry | failed | gone | refused */
  outcome: z.string(),
  responseCode: z.number().int().nullable(),
  latencyMs: z.number().int().nullable(),
  error: z.string().nullable(),
});

export const WebhookDeliveryDto = z.object({
  id: z.string(),
  eventId: z.string(),
  type: z.string(),
  status: WebhookDeliveryStatus,
  attempt: z.number().int(),
  responseCode: z.number().int().nullable(),
  latencyMs: z.number().int().nullable(),
  error: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  attempts: z.array(WebhookAttemptDto),
});
export type WebhookDeliveryDto = z.infer<typeof WebhookDeliveryDto>;

export const WebhookDeliveriesQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const WebhookDeliveriesResponse = z.object({
  deliveries: z.array(WebhookDeliveryDto),
  nextCursor: z.string().nullable(),
});
export type WebhookDeliveriesResponse = z.infer<typeof WebhookDeliveriesResponse>;

/** `POST …/deliveries/:d/redeliver` → 202: the attempt that was queued. */
export const RedeliverResponse = z.object({ deliveryId: z.string(), attempt: z.number().int() });
export type RedeliverResponse = z.infer<typeof RedeliverResponse>;
