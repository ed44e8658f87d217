/**
 * Moderation routes (issue 15, ADR 0024): `POST /api/reports` for any signed-in viewer, and
 * `/api/admin/*` for moderators and admins (404 for everyone else): the report queue,
 * resolving a report, restoring a video or an account, and the audit log. No route edits or
 * deletes an audit row, and none grants a role (only `npm run admin -- grant` does).
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  AdminReportsQuery,
  AdminReportsResponse,
  AuditQuery,
  AuditResponse,
  CreateReportBody,
  CreateReportResponse,
  ResolveReportBody,
  ResolveReportResponse,
  RestoreBody,
  RestoreResponse,
  VideoId,
} from "@streamline/contracts";
import { BEARER, errorDoc, errors, json, jsonBody, openApiRouter } from "../../lib/openapi.ts";
import { VIDEO_ID } from "../../lib/openapi-examples.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { ModerationService } from "./moderation.service.ts";
import { createReport } from "./reports.service.ts";

const REPORT_ID = "r_Hx7Kp2Qr9Tz4Wm6N";
const REPORT = {
  id: REPORT_ID,
  targetType: "video" as const,
  targetId: VIDEO_ID,
  reason: "spam" as const,
  details: "Links to a scam in the description",
  status: "open" as const,
  createdAt: "2026-12-07T18:00:00.000Z",
};
const notStaff = errorDoc(404, { message: "page not found", description: "Not a moderator or admin" });
/** Reports share the comments' limit (10 a minute) under their own key: one budget per user for each. */
const byUser = rateLimit("RL_COMMENTS", (c) => (c.var.userId ? `report:${c.var.userId}` : null));

const report = createRoute({
  method: "post",
  path: "/",
  tags: ["moderation"],
  summary: "Report a video, comment or channel",
  description:
    "`targetId` is a video id, a comment id or a channel's handle; reason from the fixed list, details ≤ 1,000 " +
    "characters. The target must be visible to the caller (404 otherwise). One open report per reporter per " +
    "target: a second one answers 409 `already_reported`. Limited per user (`RL_COMMENTS`'s limit, a separate budget).",
  security: BEARER,
  middleware: [requireAuth(), byUser] as const,
  request: { body: jsonBody(CreateReportBody, { targetType: "video", targetId: VIDEO_ID, reason: "spam" }) },
  responses: {
    201: json(CreateReportResponse, "The report", { report: REPORT }),
    ...errors(400, 401, 404, 413, 415, 429),
    409: errorDoc(409, {
      code: "already_reported",
      message: "you already reported this; a moderator will look at it",
      description:
        "An open report of yours on this target exists (`already_reported`), or it is your own (`own_content`)",
    }),
  },
});

const staffOnly = { tags: ["admin"], security: BEARER };

const queue = createRoute({
  ...staffOnly,
  method: "get",
  path: "/reports",
  summary: "The report queue, grouped by target, oldest first (moderators)",
  middleware: [requireAuth()] as const,
  request: { query: AdminReportsQuery },
  responses: {
    200: json(AdminReportsResponse, "One page of targets", { groups: [], nextCursor: null }),
    ...errors(400, 401),
    404: notStaff,
  },
});

const resolve = createRoute({
  ...staffOnly,
  method: "post",
  path: "/reports/{id}/resolve",
  summary: "Act on a report: dismiss, take_down, remove_comment or suspend_user (moderators)",
  description:
    "Closes every open report on the same target and writes the audit log. `take_down` and `suspend_user` " +
    "need a note: it is the reason the owner is shown. Limited per user (`RL_EDITS`).",
  middleware: [requireAuth(), rateLimit("RL_EDITS", (c) => c.var.userId)] as const,
  request: {
    params: z.object({
      id: z
        .string()
        .regex(/^r_[A-Za-z0-9]{16}$/)
        .meta({ example: REPORT_ID }),
    }),
    body: jsonBody(ResolveReportBody, { action: "take_down", note: "Scam links" }),
  },
  responses: {
    200: json(ResolveReportResponse, "Done", { resolved: 3, action: "take_down" }),
    ...errors(400, 401, 429),
    404: notStaff,
    409: errorDoc(409, {
      code: "already_resolved",
      message: "this report is already resolved",
      description: "Resolved already, the action does not fit the target, or the target is gone",
    }),
  },
});

const restoreVideo = createRoute({
  ...staffOnly,
  method: "post",
  path: "/videos/{id}/restore",
  summary: "Undo a takedown (moderators)",
  middleware: [requireAuth(), rateLimit("RL_EDITS", (c) => c.var.userId)] as const,
  request: {
    params: z.object({ id: VideoId.meta({ example: VIDEO_ID }) }),
    body: jsonBody(RestoreBody, { note: "Appeal accepted" }),
  },
  responses: {
    200: json(RestoreResponse, "`restored: false` when it was not taken down", { restored: true }),
    ...errors(400, 401, 429),
    404: notStaff,
  },
});

const restoreUser = createRoute({
  ...staffOnly,
  method: "post",
  path: "/users/{handle}/restore",
  summary: "Lift a suspension (moderators)",
  middleware: [requireAuth(), rateLimit("RL_EDITS", (c) => c.var.userId)] as const,
  request: {
    params: z.object({ handle: z.string().min(1).max(64).meta({ example: "bay-films" }) }),
    body: jsonBody(RestoreBody, { note: "Suspended by mistake" }),
  },
  responses: {
    200: json(RestoreResponse, "`restored: false` when the account was not suspended", { restored: true }),
    ...errors(400, 401, 429),
    404: notStaff,
  },
});

const audit = createRoute({
  ...staffOnly,
  method: "get",
  path: "/audit",
  summary: "The audit log, newest first (moderators); append-only",
  middleware: [requireAuth()] as const,
  request: { query: AuditQuery },
  responses: {
    200: json(AuditResponse, "One page", {
      entries: [
        {
          id: "al_Hx7Kp2Qr9Tz4Wm6N",
          actor: "mod-anna",
          action: "take_down",
          targetType: "video",
          targetId: VIDEO_ID,
          reportId: REPORT_ID,
          note: "Scam links",
          snapshot: "Free money",
          createdAt: "2026-12-07T18:05:00.000Z",
        },
      ],
      nextCursor: null,
    }),
    ...errors(400, 401),
    404: notStaff,
  },
});

const noStore = openApiRouter();
noStore.use(async (c, next) => {
  await next();
  c.header("cache-control", "private, no-store");
});

export const reportsRoutes = openApiRouter().openapi(report, async (c) => {
  const created = await createReport(c.var.services, currentUserId(c), c.req.valid("json"));
  return c.json({ report: created }, 201);
});

export const moderationAdminRoutes = noStore
  .openapi(queue, async (c) =>
    c.json(await new ModerationService(c.var.services).queue(currentUserId(c), c.req.valid("query")), 200),
  )
  .openapi(resolve, async (c) => {
    const service = new ModerationService(c.var.services);
    return c.json(await service.resolve(currentUserId(c), c.req.valid("param").id, c.req.valid("json")), 200);
  })
  .openapi(restoreVideo, async (c) => {
    const service = new ModerationService(c.var.services);
    const restored = await service.restoreVideo(
      currentUserId(c),
      c.req.valid("param").id,
      c.req.valid("json").note,
    );
    return c.json({ restored }, 200);
  })
  .openapi(restoreUser, async (c) => {
    const service = new ModerationService(c.var.services);
    const { handle } = c.req.valid("param");
    return c.json(
      { restored: await service.unsuspend(currentUserId(c), handle, c.req.valid("json").note) },
      200,
    );
  })
  .openapi(audit, async (c) =>
    c.json(
      await new ModerationService(c.var.services).audit(currentUserId(c), c.req.valid("query").cursor),
      200,
    ),
  );
