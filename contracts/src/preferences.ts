/** `GET/PATCH /api/me/preferences`: a user's settings (no stored row = the defaults). */
import { z } from "zod";
import { Visibility } from "./video-metadata-schemas.ts";

export const Theme = z.enum(["system", "dark", "light"]);
export type Theme = z.infer<typeof Theme>;

export const PreferencesDto = z.object({
  /** What a new upload gets when it names no visibility (and has no `publishAt`). */
  defaultVisibility: Visibility,
  /** The next video plays on its own when one ends (the watch page reads it). */
  autoplay: z.boolean(),
  /** Notification mail (replies, new videos from subscriptions) when that exists. */
  emailNotifications: z.boolean(),
  theme: Theme,
  /** Watch history is not recorded while true (used by the history feature). */
  historyPaused: z.boolean(),
});
export type PreferencesDto = z.infer<typeof PreferencesDto>;

export const DEFAULT_PREFERENCES: PreferencesDto = {
  defaultVisibility: "public",
  autoplay: true,
  emailNotifications: true,
  theme: "system",
  historyPaused: false,
};

/** Only the fields sent change. */
export const UpdatePreferencesBody = PreferencesDto.partial().refine(
  (v) => Object.keys(v).length > 0,
  "nothing to update",
);
export type UpdatePreferencesBody = z.infer<typeof UpdatePreferencesBody>;

/** The cookie the site reads before first paint to apply the theme (set by the site, not the API). */
export const THEME_COOKIE = "sl_theme";
