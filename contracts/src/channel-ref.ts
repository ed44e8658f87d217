/** The channel beside a video (`VideoDto.channel`); its own module so api.ts and channels.ts both import it. */
import { z } from "zod";

export const ChannelRef = z.object({
  handle: z.string(),
  displayName: z.string(),
  /** 88 px square (signed, immutable); null until an avatar was uploaded. */
  avatarUrl: z.string().nullable(),
});
export type ChannelRef = z.infer<typeof ChannelRef>;
