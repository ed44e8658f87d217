/** `VideoDto.channel` for a set of videos: one query for all their owners' channels. */
import type { ChannelRef } from "@streamline/contracts";
import type { Services } from "../../lib/services.ts";
import { imageUrl } from "./channel-images.ts";
import { channelRefRows } from "./channel-refs.repo.ts";

/** The avatar size shown beside a video (2× a 44 px avatar). */
const REF_AVATAR_FILE = "88.jpg";

/** Owner id → their channel as a video shows it. Owners without a channel are absent. */
export async function channelRefs(
  services: Pick<Services, "db" | "config">,
  ownerIds: (string | null)[],
): Promise<Map<string, ChannelRef>> {
  const ids = [...new Set(ownerIds.filter((id): id is string => !!id))];
  const rows = await channelRefRows(services.db, ids);
  const secret = services.config.DELIVERY_SECRET;
  const refs = await Promise.all(
    rows.map(
      async (r): Promise<[string, ChannelRef]> => [
        r.userId,
        {
          handle: r.handle,
          displayName: r.displayName,
          avatarUrl: r.avatarKey ? await imageUrl(secret, r.avatarKey + REF_AVATAR_FILE) : null,
        },
      ],
    ),
  );
  return new Map(refs);
}

/** The one channel of one video's owner (null for videos from before accounts). */
export async function channelRefOf(
  services: Pick<Services, "db" | "config">,
  ownerId: string | null,
): Promise<ChannelRef | null> {
  if (!ownerId) return null;
  return (await channelRefs(services, [ownerId])).get(ownerId) ?? null;
}
