/** A list of video rows in the API's shape for one caller, with one channel query for all owners. */
import type { VideoDto } from "@streamline/contracts";
import type { VideoRow } from "../../db/schema.ts";
import type { Services } from "../../lib/services.ts";
import { channelRefs } from "../channels/channel-refs.ts";
import { toVideoDto } from "./video-dto.ts";

export async function videoDtos(
  services: Pick<Services, "db" | "config">,
  rows: readonly VideoRow[],
  userId: string | null | undefined,
): Promise<VideoDto[]> {
  const refs = await channelRefs(
    services,
    rows.map((r) => r.ownerId),
  );
  return Promise.all(
    rows.map((r) => toVideoDto(services, r, userId, (r.ownerId && refs.get(r.ownerId)) || null)),
  );
}
