/**
 * Channels (issue 12, ADR 0011): every user has one. The public page's data, the owner's
 * edits, the image sizes the fleet renders for avatars and banners, and the reference to a
 * channel every video carries (`VideoDto.channel`).
 */
import { z } from "zod";
import { Handle, NO_CONTROL_CHARS } from "./api.ts";

export { ChannelRef } from "./channel-ref.ts";

/** How long a handle a channel gave up keeps redirecting to it — and stays out of anyone else's reach. */
export const HANDLE_REDIRECT_DAYS = 30;
/** Old handles one channel may hold at once; one more change waits until the oldest expires. */
export const MAX_HELD_HANDLES = 2;

export const DISPLAY_NAME_MAX = 50;
export const CHANNEL_DESCRIPTION_MAX = 5000;
export const CHANNEL_LINKS_MAX = 5;

/**
 * Square avatar sizes in px: 48 (2× a 24 px menu avatar), 88 (2× the 44 px avatar beside a
 * video), 176 (2× the 88 px avatar of the channel page).
 */
export const AVATAR_SIZES = [48, 88, 176] as const;
/** Banner sizes (6.04:1, YouTube's safe area ratio): 1280 for phones and 1× desktops, 2560 for 2× desktops. */
export const BANNER_SIZES = [
  { width: 1280, height: 212 },
  { width: 2560, height: 424 },
] as const;

export const ChannelImageKind = z.enum(["avatar", "banner"]);
export type ChannelImageKind = z.infer<typeof ChannelImageKind>;

/** The file names one rendered image set holds under its version prefix. */
export function channelImageFiles(kind: ChannelImageKind): string[] {
  return kind === "avatar"
    ? AVATAR_SIZES.map((s) => `${s}.jpg`)
    : BANNER_SIZES.map((s) => `${s.width}x${s.height}.jpg`);
}

export const CHANNEL_IMAGE_PREFIX_PATTERN =
  /^channels\/u_[A-Za-z0-9]{16}\/(avatar|banner)\/a_[A-Za-z0-9_-]{8,60}\/$/;

/** Where one rendered version of a channel image lives: `channels/<userId>/<kind>/<version>/`. */
export function channelImagePrefix(userId: string, kind: ChannelImageKind, version: string): string {
  return `channels/${userId}/${kind}/${version}/`;
}

/** The uploaded original, kept out of the served prefixes. */
export function channelImageSourceKey(userId: string, kind: ChannelImageKind): string {
  return `uploads/channels/${userId}/${kind}-source`;
}

const plainText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .regex(NO_CONTROL_CHARS, "must not contain control characters (U+0000–U+001F, U+007F)");

/** A link shown on the channel: a title and an http(s) URL (nothing a browser would run). */
export const ChannelLink = z.object({
  title: plainText(60).min(1, "a link needs a title"),
  url: z
    .string()
    .trim()
    .max(2048)
    .pipe(z.url({ protocol: /^https?$/, message: "links must be http:// or https:// URLs" })),
});
export type ChannelLink = z.infer<typeof ChannelLink>;

export const ChannelDto = z.object({
  handle: z.string(),
  displayName: z.string(),
  description: z.string(),
  /** 176 px square; `avatarSrcset` lists every size (`… 48w, … 88w, … 176w`). */
  avatarUrl: z.string().nullable(),
  avatarSrcset: z.string().nullable(),
  /** 1280×212; `bannerSrcset` adds 2560×424. */
  bannerUrl: z.string().nullable(),
  bannerSrcset: z.string().nullable(),
  links: z.array(ChannelLink),
  /** Always 0 until subscriptions exist (the community issue). */
  subscriberCount: z.number().int().nonnegative(),
  /** Public, ready videos. */
  videoCount: z.number().int().nonnegative(),
  /** Views of those videos. */
  totalViews: z.number().int().nonnegative(),
  createdAt: z.string(),
});
export type ChannelDto = z.infer<typeof ChannelDto>;

/** `GET /api/channels/:handle`. */
export const ChannelResponse = z.object({
  channel: ChannelDto,
  /** Whether the caller subscribes; false until subscriptions exist. */
  subscribed: z.boolean(),
});
export type ChannelResponse = z.infer<typeof ChannelResponse>;

/** A channel image the fleet is still rendering, or why the last one failed. */
export const ChannelImageState = z.object({
  pending: z.boolean(),
  /** The last upload could not be rendered (the previous image stays). */
  failure: z.string().nullable(),
});

/** `GET /api/me/channel`, `PATCH /api/me/channel`: the caller's channel, with the state of image uploads. */
export const MyChannelResponse = z.object({
  channel: ChannelDto,
  avatar: ChannelImageState,
  banner: ChannelImageState,
  /** Old handles that still redirect here, and until when. */
  heldHandles: z.array(z.object({ handle: z.string(), expiresAt: z.string() })),
});
export type MyChannelResponse = z.infer<typeof MyChannelResponse>;

export const UpdateChannelBody = z
  .object({
    displayName: plainText(DISPLAY_NAME_MAX).min(1, "display name must not be empty"),
    /** Plain text; links in it are made clickable by the site, never rendered as HTML. */
    description: z.string().max(CHANNEL_DESCRIPTION_MAX),
    links: z.array(ChannelLink).max(CHANNEL_LINKS_MAX, `at most ${CHANNEL_LINKS_MAX} links`),
    handle: Handle,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to update");
export type UpdateChannelBody = z.infer<typeof UpdateChannelBody>;

export const ChannelVideoSort = z.enum(["newest", "popular"]);
export type ChannelVideoSort = z.infer<typeof ChannelVideoSort>;

/** `GET /api/channels/:handle/videos?sort=&limit=&cursor=`. */
export const ChannelVideosQuery = z.object({
  sort: ChannelVideoSort.default("newest"),
  limit: z.coerce.number().int().min(1).max(100).default(24),
  /** The previous page's `nextCursor` for the same `sort`. */
  cursor: z
    .string()
    .regex(/^(\d{1,15})\.(v_[A-Za-z0-9]{16})$/, "not a cursor from nextCursor")
    .optional(),
});
export type ChannelVideosQuery = z.infer<typeof ChannelVideosQuery>;

/** `PUT /api/me/channel/avatar|banner` (202): the fleet renders the sizes, then the URLs change. */
export const ChannelImageUploadResponse = z.object({ status: z.literal("processing") });
