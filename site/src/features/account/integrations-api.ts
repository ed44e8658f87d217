/**
 * The account page's calls for API keys and webhooks (ADR 0025), through the one API client
 * (`request` in lib/api.ts: Bearer token, refresh on 401, ApiError). Types from contracts.
 */
import type {
  ApiKeyListResponse,
  CreateApiKeyBody,
  CreatedApiKeyResponse,
  CreatedWebhookResponse,
  CreateWebhookBody,
  RedeliverResponse,
  UpdateWebhookBody,
  WebhookDeliveriesResponse,
  WebhookDto,
  WebhookListResponse,
} from "@streamline/contracts";
import type { z } from "zod";
import { request } from "../../lib/api.ts";

const id = (value: string) => encodeURIComponent(value);

export const integrationsApi = {
  listApiKeys: () => request<ApiKeyListResponse>("GET", "/api/me/api-keys"),
  createApiKey: (body: z.input<typeof CreateApiKeyBody>) =>
    request<CreatedApiKeyResponse>("POST", "/api/me/api-keys", { body }),
  revokeApiKey: (keyId: string) => request<void>("DELETE", `/api/me/api-keys/${id(keyId)}`),

  listWebhooks: () => request<WebhookListResponse>("GET", "/api/me/webhooks"),
  createWebhook: (body: z.input<typeof CreateWebhookBody>) =>
    request<CreatedWebhookResponse>("POST", "/api/me/webhooks", { body }),
  updateWebhook: (hookId: string, body: z.input<typeof UpdateWebhookBody>) =>
    request<WebhookDto>("PATCH", `/api/me/webhooks/${id(hookId)}`, { body }),
  deleteWebhook: (hookId: string) => request<void>("DELETE", `/api/me/webhooks/${id(hookId)}`),
  deliveries: (hookId: string) =>
    request<WebhookDeliveriesResponse>("GET", `/api/me/webhooks/${id(hookId)}/deliveries?limit=20`),
  redeliver: (hookId: string, deliveryId: string) =>
    request<RedeliverResponse>(
      "POST",
      `/api/me/webhooks/${id(hookId)}/deliveries/${id(deliveryId)}/redeliver`,
    ),
};
