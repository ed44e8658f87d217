/**
 * What the pages behind a mailed link share (ADR 0014): taking the token out of the address
 * bar before anything else can see it, and saying in words why the API refused a link.
 */
import { ApiError } from "../../lib/api.ts";

/** How a link can be refused, in the API's codes; `error` is anything else (offline, 5xx, 429). */
export type LinkRefusal = "expired" | "used" | "invalid" | "error";

export interface LocationLike {
  pathname: string;
  search: string;
  hash: string;
}

export interface HistoryLike {
  replaceState(data: unknown, unused: string, url?: string): void;
}

/** Reads the query parameter `name` and removes it from the address bar, keeping the rest. */
export function takeParam(name: string, location: LocationLike, history: HistoryLike): string | null {
  const params = new URLSearchParams(location.search);
  const value = params.get(name);
  if (value === null) return null;
  params.delete(name);
  const rest = params.toString();
  history.replaceState(null, "", `${location.pathname}${rest ? `?${rest}` : ""}${location.hash}`);
  return value;
}

/**
 * Reads `?token=` and removes it from the address bar (history, bookmarks, a screenshot, a
 * shared screen). The page also sends no Referer at all.
 */
export function takeToken(location: LocationLike, history: HistoryLike): string | null {
  const token = takeParam("token", location, history)?.trim();
  return token ? token : null;
}

const REFUSALS: Record<string, LinkRefusal> = {
  token_expired: "expired",
  token_used: "used",
  token_invalid: "invalid",
  // The body's shape was wrong: a link cut short or mangled by a mail client.
  validation_failed: "invalid",
};

export function refusalOf(err: unknown): LinkRefusal {
  if (err instanceof ApiError) return REFUSALS[err.code] ?? "error";
  return "error";
}

/** The heading and sentence for a refused link; `kind` names what the link was for. */
export function refusalText(
  refusal: LinkRefusal,
  kind: "verification" | "reset",
  err?: unknown,
): { title: string; message: string } {
  const again = kind === "verification" ? "Send yourself a new link." : "Ask for a new link.";
  switch (refusal) {
    case "expired":
      return {
        title: "This link has expired",
        message: `${kind === "verification" ? "Verification links work for 48 hours" : "Password reset links work for 30 minutes"}. ${again}`,
      };
    case "used":
      return { title: "This link was already used", message: `Each link works only once. ${again}` };
    case "invalid":
      return {
        title: "This link is not valid",
        message: `It may have been cut short or mistyped: open the link from the mail again, or ${again.charAt(0).toLowerCase()}${again.slice(1)}`,
      };
    default:
      return {
        title: "Something went wrong",
        message:
          err instanceof ApiError && err.message
            ? `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}${/[.!?]$/.test(err.message) ? "" : "."}`
            : "Please try again in a moment.",
      };
  }
}
