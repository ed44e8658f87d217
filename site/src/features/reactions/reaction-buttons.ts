/**
 * The watch page's like / dislike buttons: optimistic on click (reaction-state.ts), the API's
 * answer wins, a failure puts the previous state back and says why. Signed-out visitors are
 * sent to sign in and come back here.
 */
import type { ReactionValue } from "@streamline/contracts";
import { ApiError, api, type VideoDto } from "../../lib/api.ts";
import { authSession, loginUrl } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { compactCount, nextReaction, optimistic, type ReactionView } from "./reaction-state.ts";

const messageOf = (err: unknown) => (err instanceof ApiError ? err.message : "Something went wrong.");

export interface Reactions {
  /** A fresh copy of the video (ignored while a click is on its way). */
  show(video: VideoDto): void;
}

function parts(root: HTMLElement) {
  const $ = elementsOf(root, "reactions");
  return {
    like: $(role("like"), HTMLButtonElement),
    dislike: $(role("dislike"), HTMLButtonElement),
    likeCount: $(role("like-count")),
    dislikeCount: $(role("dislike-count")),
  };
}

function paintView(ui: ReturnType<typeof parts>, view: ReactionView): void {
  ui.likeCount.textContent = compactCount(view.likeCount);
  ui.like.setAttribute("aria-pressed", String(view.myReaction === "like"));
  ui.dislike.setAttribute("aria-pressed", String(view.myReaction === "dislike"));
  ui.dislikeCount.hidden = view.dislikeCount === undefined;
  ui.dislikeCount.textContent = compactCount(view.dislikeCount ?? 0);
}

export function mountReactions(root: HTMLElement, error: HTMLElement, videoId: string): Reactions {
  const ui = parts(root);
  let view: ReactionView = { likeCount: 0, myReaction: null };
  let pending = false;
  // Once the viewer reacted here, the server's answer is the freshest word: a copy of the
  // video fetched before the click (the viewer's own copy arriving after the
  // server-rendered one) must not take the reaction back.
  let reactedHere = false;
  const paint = () => paintView(ui, view);

  const click = async (clicked: ReactionValue) => {
    if (pending) return;
    if ((await authSession.start()).status !== "signed-in") {
      location.assign(loginUrl(location.pathname + location.search));
      return;
    }
    const before = view;
    view = optimistic(view, clicked);
    pending = true;
    error.hidden = true;
    paint();
    try {
      const result = await api.react(videoId, nextReaction(before.myReaction, clicked));
      view = {
        likeCount: result.likeCount,
        dislikeCount: result.dislikeCount,
        myReaction: result.myReaction,
      };
      reactedHere = true;
    } catch (err) {
      view = before;
      error.textContent = `Couldn't save that: ${messageOf(err)}`;
      error.hidden = false;
    } finally {
      pending = false;
      paint();
    }
  };

  ui.like.addEventListener("click", () => void click("like"));
  ui.dislike.addEventListener("click", () => void click("dislike"));
  return {
    show(video) {
      root.hidden = false;
      if (pending || reactedHere) return;
      view = {
        likeCount: video.likeCount,
        dislikeCount: video.dislikeCount,
        myReaction: video.myReaction ?? null,
      };
      paint();
    },
  };
}
