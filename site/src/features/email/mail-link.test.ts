import { describe, expect, it } from "vitest";
import { ApiError } from "../../lib/api.ts";
import { sentMessage } from "./forgot-password-page.ts";
import { takeLoginNotice } from "./login-notice.ts";
import { refusalOf, refusalText, takeParam, takeToken } from "./mail-link.ts";
import { resendMessage } from "./resend-verification.ts";
import { localIssues } from "./reset-password-page.ts";

function addressBar(search: string, pathname = "/verify-email", hash = "") {
  const replaced: string[] = [];
  return {
    location: { pathname, search, hash },
    history: { replaceState: (_d: unknown, _u: string, url?: string) => void replaced.push(url ?? "") },
    replaced,
  };
}

const TOKEN = "Vq3rT0e8XcJ2mQ9sLw4uYb7nKd1fHg6aPz5iRx0oEy8";

describe("takeToken", () => {
  it("returns the token and removes it from the address bar, keeping other parameters and the hash", () => {
    const bar = addressBar(`?token=${TOKEN}&utm=mail`, "/reset-password", "#x");
    expect(takeToken(bar.location, bar.history)).toBe(TOKEN);
    expect(bar.replaced).toEqual(["/reset-password?utm=mail#x"]);
  });

  it("leaves a clean path when the token was the only parameter", () => {
    const bar = addressBar(`?token=${TOKEN}`);
    takeToken(bar.location, bar.history);
    expect(bar.replaced).toEqual(["/verify-email"]);
  });

  it("no token (or an empty one): null; the address bar is untouched when there was none", () => {
    const none = addressBar("");
    expect(takeToken(none.location, none.history)).toBeNull();
    expect(none.replaced).toEqual([]);
    const empty = addressBar("?token=%20");
    expect(takeToken(empty.location, empty.history)).toBeNull();
    expect(empty.replaced).toEqual(["/verify-email"]);
  });

  it("takeParam reads any one parameter", () => {
    const bar = addressBar("?a=1&b=2");
    expect(takeParam("b", bar.location, bar.history)).toBe("2");
    expect(bar.replaced).toEqual(["/verify-email?a=1"]);
  });
});

describe("refusals", () => {
  it("maps the API's codes to what people are told", () => {
    expect(refusalOf(new ApiError(400, "token_expired", "x"))).toBe("expired");
    expect(refusalOf(new ApiError(400, "token_used", "x"))).toBe("used");
    expect(refusalOf(new ApiError(400, "token_invalid", "x"))).toBe("invalid");
    expect(refusalOf(new ApiError(400, "validation_failed", "x"))).toBe("invalid");
    expect(refusalOf(new ApiError(429, "rate_limited", "x"))).toBe("error");
    expect(refusalOf(new Error("offline"))).toBe("error");
  });

  it("says how long each kind of link lives, and that a link works once", () => {
    expect(refusalText("expired", "verification").message).toMatch(/48 hours/);
    expect(refusalText("expired", "reset").message).toMatch(/30 minutes/);
    expect(refusalText("used", "reset")).toEqual({
      title: "This link was already used",
      message: "Each link works only once. Ask for a new link.",
    });
    expect(refusalText("invalid", "verification").message).toMatch(/send yourself a new link\.$/);
  });

  it("any other failure shows the API's message as a sentence", () => {
    const text = refusalText("error", "reset", new ApiError(429, "rate_limited", "too many requests"));
    expect(text.message).toBe("Too many requests.");
    expect(refusalText("error", "reset", new Error("x")).message).toBe("Please try again in a moment.");
  });
});

describe("page sentences", () => {
  it("forgot password: the same sentence whatever the address, naming it back", () => {
    const res = { status: "accepted", delivery: "smtp", message: "" } as const;
    expect(sentMessage("ana@example.com", res)).toMatch(
      /^If an account uses ana@example\.com, we sent it a link/,
    );
    expect(sentMessage("ana@example.com", { ...res, delivery: "log" })).toMatch(/no mail delivery/);
  });

  it("resend: a mail on its way, or a server that cannot send mail", () => {
    const res = { status: "accepted", delivery: "smtp", message: "" } as const;
    expect(resendMessage(res)).toMatch(/on its way/);
    expect(resendMessage({ ...res, delivery: "log" })).toMatch(/operator/);
  });

  it("reset: the length rule and the confirmation are checked before asking the API", () => {
    expect(localIssues("short", "short")).toEqual({ password: "Use at least 10 characters." });
    expect(localIssues("a long passphrase", "a long passphrasE")).toEqual({
      confirm: "The two passwords are not the same.",
    });
    expect(localIssues("a long passphrase", "a long passphrase")).toEqual({});
  });

  it("login: the reset notice is shown once and leaves the address bar", () => {
    const bar = addressBar("?notice=password-reset&next=%2Fupload", "/login");
    expect(takeLoginNotice(bar.location, bar.history)).toMatch(/every device was signed out/);
    expect(bar.replaced).toEqual(["/login?next=%2Fupload"]);
    const unknown = addressBar("?notice=<b>hi</b>", "/login");
    expect(takeLoginNotice(unknown.location, unknown.history)).toBeNull();
  });
});
