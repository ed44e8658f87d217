/**
 * Clips (ADR 0027): `POST /api/videos/:id/clips { startSec, endSec, title }` makes a new
 * video that plays a range of the source's own segments: snapped outward to segment
 * boundaries, no re-encode, ready at once. `VideoDto.clipOf` names the source and the
 * snapped range.
 */
import { z } from "zod";

/** The longest clip one may ask for (YouTube's clips are 5–60 s). */
export const MAX_CLIP_SECONDS = 60;
/** The shortest: below one segment a clip says nothing a link with `?t=` does not. */
export const MIN_CLIP_SECONDS = 1;

export const CreateClipBody = z
  .object({
    startSec: z.number().finite().nonnegative(),
    endSec: z.number().finite().positive(),
    title: z.string().trim().min(1).max(200),
  })
  .refine((b) => b.endSec > b.startSec, { message: "endSec must be after startSec", path: ["endSec"] })
  .refine((b) => b.endSec - b.startSec <= MAX_CLIP_SECONDS, {
    message: `a clip is at most ${MAX_CLIP_SECONDS} seconds`,
    path: ["endSec"],
  })
  .refine((b) => b.endSec <= b.startSec || b.endSec - b.startSec >= MIN_CLIP_SECONDS, {
    message: `a clip is at least ${MIN_CLIP_SECONDS} second`,
    path: ["endSec"],
  });
export type CreateClipBody = z.infer<typeof CreateClipBody>;

/** `VideoDto.clipOf`: the source and the range actually played (snapped to segments). */
export const ClipOf = z.object({
  videoId: z.string(),
  startSec: z.number().nonnegative(),
  endSec: z.number().positive(),
});
export type ClipOf = z.infer<typeof ClipOf>;
