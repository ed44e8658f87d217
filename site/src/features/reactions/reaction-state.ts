/**
 * What a click on like or dislike does, before the API answers: clicking the reaction you
 * already gave takes it back, the other one switches. Counts move optimistically and are
 * replaced by the API's answer (or put back when the request fails).
 */
import type { ReactionValue } from "@streamline/contracts";

export interface ReactionView {
  likeCount: number;
  /** Only the owner gets dislikes (ADR 0015). */
  dislikeCount?: number | undefined;
  myReaction: ReactionValue | null;
}

/** The value to send for a click on `clicked`. */
export function nextReaction(current: ReactionValue | null, clicked: ReactionValue): ReactionValue | "none" {
  return current === clicked ? "none" : clicked;
}

/** The view right after the click, counting as the server will. */
export function optimistic(view: ReactionView, clicked: ReactionValue): ReactionView {
  const sent = nextReaction(view.myReaction, clicked);
  const mine = sent === "none" ? null : sent;
  const delta = (value: ReactionValue) => (mine === value ? 1 : 0) - (view.myReaction === value ? 1 : 0);
  return {
    likeCount: Math.max(0, view.likeCount + delta("like")),
    ...(view.dislikeCount === undefined
      ? {}
      : { dislikeCount: Math.max(0, view.dislikeCount + delta("dislike")) }),
    myReaction: mine,
  };
}

/** "1.2K" style counts, as video pages show them. */
export function compactCount(n: number): string {
  return new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 }).format(n);
}
