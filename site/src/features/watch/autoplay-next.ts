/**
 * Autoplay next on the watch page: when the video ends and autoplay is on, an overlay over
 * the player counts down 5 s to the first "up next" video, with Cancel and Play now
 * (autoplay-countdown.ts decides; this module runs the timer, renders and navigates).
 */
import type { VideoDto } from "../../lib/api.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import {
  type CountdownEvent,
  type CountdownState,
  countdownReducer,
  initialCountdown,
} from "./autoplay-countdown.ts";

export interface AutoplaySource {
  autoplay(): boolean;
  next(): VideoDto | null;
}

export function mountAutoplayNext(
  overlay: HTMLElement,
  media: HTMLMediaElement,
  source: AutoplaySource,
  go: (href: string) => void = (href) => location.assign(href),
): void {
  const $ = elementsOf(overlay, "autoplay overlay");
  const seconds = $(role("countdown-seconds"));
  const title = $(role("countdown-title"));
  const cancel = $(role("countdown-cancel"), HTMLButtonElement);
  const playNow = $(role("countdown-play"), HTMLButtonElement);
  let state: CountdownState = initialCountdown;
  let timer: ReturnType<typeof setInterval> | undefined;

  const dispatch = (event: CountdownEvent) => {
    const before = state;
    state = countdownReducer(state, event);
    if (state === before) return;
    overlay.hidden = state.phase !== "counting";
    overlay.dataset.phase = state.phase;
    if (state.phase === "counting") {
      seconds.textContent = String(state.remaining);
      if (before.phase !== "counting") {
        title.textContent = source.next()?.title ?? "";
        timer = setInterval(() => dispatch({ type: "tick" }), 1000);
        cancel.focus();
      }
      return;
    }
    clearInterval(timer);
    if (state.phase === "going") go(`/watch/${encodeURIComponent(state.nextId)}`);
  };

  media.addEventListener("ended", () =>
    dispatch({ type: "ended", autoplay: source.autoplay(), nextId: source.next()?.id ?? null }),
  );
  media.addEventListener("play", () => dispatch({ type: "resumed" }));
  media.addEventListener("seeking", () => {
    if (!media.ended) dispatch({ type: "resumed" });
  });
  cancel.addEventListener("click", () => dispatch({ type: "cancel" }));
  playNow.addEventListener("click", () => dispatch({ type: "play-now" }));
}
