/**
 * Views and resume for the rest of the edge (ADR 0016): the view token handed out with
 * `playback`, a heartbeat's checks before it reaches the video's ViewCounter, and the
 * caller's resume position.
 */
import type { VideoDto, ViewHeartbeatBody, ViewHeartbeatResponse } from "@streamline/contracts";
import type { Context } from "hono";
import type { VideoRow } from "../../db/schema.ts";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError } from "../../lib/errors.ts";
import { enforceRateLimit } from "../../middleware/rate-limit/index.ts";
import { deviceClass } from "./device-class.ts";
import { HistoryRepo } from "./history.repo.ts";
import { signViewToken, verifyViewToken } from "./view-token.ts";
import { ensureViewerId, viewerIdOf } from "./viewer-cookie.ts";

export function counterStub(env: Pick<Env, "VIEW_COUNTER">, videoId: string) {
  return env.VIEW_COUNTER.get(env.VIEW_COUNTER.idFromName(videoId));
}

/** A view token for this caller and video (sets the `sl_viewer` cookie when missing). */
export function issueViewToken(
  c: Context<AppEnv>,
  video: Pick<VideoRow, "id" | "durationSec">,
): Promise<string> {
  const { config } = c.var.services;
  const grant = {
    videoId: video.id,
    userId: c.var.userId ?? null,
    device: ensureViewerId(c),
    durationSec: video.durationSec,
  };
  return signViewToken(config.JWT_SECRET, grant, config.PLAYBACK_TTL_SECONDS);
}

const refuse = (code: string, message: string) => new AppError(403, code, message);

/** Checks the token against this browser and caller, rate-limits the viewer, hands the beat to the counter. */
export async function recordHeartbeat(
  c: Context<AppEnv>,
  body: ViewHeartbeatBody,
): Promise<ViewHeartbeatResponse> {
  const now = Date.now();
  const check = await verifyViewToken(c.var.services.config.JWT_SECRET, body.viewToken, now);
  if (!check.ok) {
    throw check.reason === "expired"
      ? refuse("view_token_expired", "the view token expired; load the video again")
      : refuse("view_token_invalid", "not a view token from this server");
  }
  const { view } = check;
  // Bound to the browser (the sl_viewer cookie) and, when a bearer is sent, to that user.
  if (viewerIdOf(c, body.viewerId) !== view.device || (c.var.userId && c.var.userId !== view.userId)) {
    throw refuse("view_token_mismatch", "this view token belongs to another viewer");
  }
  await enforceRateLimit(c.env, "RL_VIEWS", view.viewer);
  return counterStub(c.env, view.videoId).heartbeat({
    videoId: view.videoId,
    viewer: view.viewer,
    userId: view.userId,
    issuedAt: view.issuedAt,
    positionSec: body.positionSec,
    playedSec: body.playedSec,
    durationSec: view.durationSec,
    now,
    source: body.source ?? null,
    device: deviceClass(c.req.header("user-agent"), c.req.header("sec-ch-ua-mobile")),
  });
}

/**
 * Where `userId` stopped in this video: a position the ViewCounter has not flushed yet,
 * else the history row; none while history is paused, and none at 0.
 */
export async function resumeAt(
  c: Context<AppEnv>,
  videoId: string,
  userId: string,
): Promise<number | undefined> {
  const saved = await new HistoryRepo(c.var.services.db).resumeState(userId, videoId);
  if (saved.paused) return undefined;
  const pending = await counterStub(c.env, videoId).pendingPosition(userId);
  const position = pending ?? saved.positionSec;
  return position !== null && position > 0 ? position : undefined;
}

/** `GET /api/videos/:id`: the view token beside `playback`, and the signed-in caller's resume point. */
export async function withViewing(c: Context<AppEnv>, video: VideoRow, dto: VideoDto): Promise<VideoDto> {
  const playback = dto.playback ? { ...dto.playback, viewToken: await issueViewToken(c, video) } : undefined;
  const resumeAtSec = c.var.userId && video.playable ? await resumeAt(c, video.id, c.var.userId) : undefined;
  return {
    ...dto,
    ...(playback ? { playback } : {}),
    ...(resumeAtSec !== undefined ? { resumeAtSec } : {}),
  };
}
