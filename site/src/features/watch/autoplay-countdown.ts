/**
 * "Up next in 5" (autoplay next): a small state machine the watch page drives from the
 * player's `ended`, a one-second tick, and the viewer's Cancel / Play now. Pure: the page
 * runs the timer and the navigation it asks for.
 */
export const COUNTDOWN_SECONDS = 5;

export type CountdownState =
  | { phase: "idle" }
  | { phase: "counting"; remaining: number; nextId: string }
  | { phase: "cancelled" }
  | { phase: "going"; nextId: string };

export type CountdownEvent =
  | { type: "ended"; autoplay: boolean; nextId: string | null }
  | { type: "tick" }
  | { type: "cancel" }
  | { type: "play-now" }
  /** The viewer played or seeked again: any countdown stops, a new `ended` may start one. */
  | { type: "resumed" };

export const initialCountdown: CountdownState = { phase: "idle" };

export function countdownReducer(state: CountdownState, event: CountdownEvent): CountdownState {
  switch (event.type) {
    case "ended":
      if (!event.autoplay || !event.nextId || state.phase === "going") return state;
      return { phase: "counting", remaining: COUNTDOWN_SECONDS, nextId: event.nextId };
    case "tick":
      if (state.phase !== "counting") return state;
      return state.remaining <= 1
        ? { phase: "going", nextId: state.nextId }
        : { ...state, remaining: state.remaining - 1 };
    case "cancel":
      return state.phase === "counting" ? { phase: "cancelled" } : state;
    case "play-now":
      return state.phase === "counting" ? { phase: "going", nextId: state.nextId } : state;
    case "resumed":
      return state.phase === "counting" || state.phase === "cancelled" ? initialCountdown : state;
  }
}
