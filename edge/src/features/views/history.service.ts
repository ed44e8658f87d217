/** The history page in the API's shape: rows → VideoDtos (one channel query per page), keyset cursor. */
import type { HistoryResponse } from "@streamline/contracts";
import type { Services } from "../../lib/services.ts";
import { channelRefs } from "../channels/channel-refs.ts";
import { canView } from "../videos/video-access.ts";
import { toVideoDto } from "../videos/video-dto.ts";
import { HistoryRepo } from "./history.repo.ts";

function parseCursor(cursor: string | undefined) {
  if (!cursor) return undefined;
  const dot = cursor.indexOf(".");
  return { watchedAt: Number(cursor.slice(0, dot)), videoId: cursor.slice(dot + 1) };
}

export async function historyPage(
  services: Services,
  userId: string,
  cursor: string | undefined,
  limit: number,
): Promise<HistoryResponse> {
  const rows = await new HistoryRepo(services.db).page(userId, limit, parseCursor(cursor));
  const last = rows.length === limit ? rows.at(-1) : undefined;
  const visible = rows.filter((r) => canView(r.video, userId));
  const channels = await channelRefs(
    services,
    visible.flatMap((r) => (r.video.ownerId ? [r.video.ownerId] : [])),
  );
  const items = await Promise.all(
    visible.map(async (r) => ({
      video: await toVideoDto(
        services,
        r.video,
        userId,
        r.video.ownerId ? (channels.get(r.video.ownerId) ?? null) : null,
      ),
      positionSec: r.positionSec,
      durationSec: r.durationSec,
      watchedAt: new Date(r.watchedAt).toISOString(),
    })),
  );
  return { items, nextCursor: last ? `${last.watchedAt}.${last.video.id}` : null };
}
