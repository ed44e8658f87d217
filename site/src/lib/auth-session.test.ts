import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, type AuthResponse, api } from "./api.ts";
import {
  type AuthChannel,
  createAuthSession,
  loginUrl,
  requiresUser,
  SESSION_HINT_TTL_MS,
  type SessionHint,
  safeNext,
} from "./auth-session.ts";

const NOW = Date.parse("2026-11-23T12:00:00Z");
const user = {
  id: "u_aaaaaaaaaaaaaaaa",
  email: "ana@example.com",
  handle: "ana",
  createdAt: "2026-11-23T00:00:00Z",
  emailVerified: false,
};
const issued = (n: number, ttlMs = 15 * 60_000): AuthResponse => ({
  user,
  accessToken: `token-${n}`,
  expiresAt: new Date(NOW + ttlMs).toISOString(),
});

function harness(refreshImpl: () => Promise<AuthResponse>, hint?: SessionHint) {
  let clock = NOW;
  const timers: { fn: () => void; at: number }[] = [];
  const fakeApi = {
    refresh: vi.fn(refreshImpl),
    login: vi.fn(async () => issued(100)),
    signup: vi.fn(async () => issued(200)),
    logout: vi.fn(async () => undefined),
  };
  const posted: unknown[] = [];
  const channel: AuthChannel = { postMessage: (m) => posted.push(m), onmessage: null };
  const session = createAuthSession({
    api: fakeApi,
    now: () => clock,
    setTimer: (fn, ms) => {
      const t = { fn, at: clock + ms };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => timers.splice(timers.indexOf(t as (typeof timers)[number]), 1),
    openChannel: () => channel,
    ...(hint ? { hint } : {}),
  });
  return {
    session,
    fakeApi,
    posted,
    channel,
    timers,
    advance(ms: number) {
      clock += ms;
    },
  };
}

describe("safeNext / loginUrl / requiresUser", () => {
  it("keeps same-site paths and refuses anything that could leave the site", () => {
    expect(safeNext("/upload?x=1")).toBe("/upload?x=1");
    for (const bad of [
      "https://evil.example",
      "//evil.example",
      "/\\evil.example",
      "evil",
      "",
      null,
      "/\t/evil.example",
    ]) {
      expect(safeNext(bad), String(bad)).toBe("/");
    }
    expect(loginUrl("/upload")).toBe("/login?next=%2Fupload");
    expect(loginUrl("//evil")).toBe("/login?next=%2F");
  });

  it("knows which pages need an account", () => {
    expect(requiresUser("/upload")).toBe(true);
    expect(requiresUser("/account")).toBe(true);
    expect(requiresUser("/studio")).toBe(true);
    expect(requiresUser("/studio/v_aaaaaaaaaaaaaaaa")).toBe(true);
    expect(requiresUser("/")).toBe(false);
    expect(requiresUser("/watch/v_x")).toBe(false);
    expect(requiresUser("/uploads-are-public")).toBe(false);
  });
});

describe("auth session", () => {
  it("trades the refresh cookie for an access token once on start, shared by concurrent callers", async () => {
    const h = harness(async () => issued(1));
    const [a, b, state] = await Promise.all([
      h.session.accessToken(),
      h.session.accessToken(),
      h.session.start(),
    ]);
    expect([a, b]).toEqual(["token-1", "token-1"]);
    expect(state).toEqual({ status: "signed-in", user });
    expect(h.fakeApi.refresh).toHaveBeenCalledTimes(1);
  });

  it("schedules the next refresh a minute before expiry", async () => {
    let n = 0;
    const h = harness(async () => issued(++n));
    await h.session.start();
    expect(h.timers).toHaveLength(1);
    expect(h.timers[0]!.at).toBe(NOW + 14 * 60_000);
    h.timers[0]!.fn();
    await vi.waitFor(() => expect(h.fakeApi.refresh).toHaveBeenCalledTimes(2));
    expect(await h.session.accessToken()).toBe("token-2");
  });

  it("refreshes before handing out a token about to expire (e.g. after a sleeping laptop)", async () => {
    let n = 0;
    const h = harness(async () => issued(++n));
    await h.session.start();
    h.advance(14 * 60_000 + 50_000);
    expect(await h.session.accessToken()).toBe("token-2");
  });

  it("a refused refresh means signed out; a network failure says nothing about the session", async () => {
    const out = harness(async () => {
      throw new ApiError(401, "session_revoked", "signed out");
    });
    expect(await out.session.start()).toEqual({ status: "anonymous", user: null });
    expect(await out.session.accessToken()).toBeNull();

    const offline = harness(async () => {
      throw new ApiError(0, "network_error", "offline");
    });
    expect((await offline.session.start()).status).toBe("error");
  });

  it("sign in / sign out update the state and tell the other tabs", async () => {
    const h = harness(async () => {
      throw new ApiError(401, "no_refresh_token", "no cookie");
    });
    await h.session.start();
    const seen: string[] = [];
    h.session.subscribe((s) => seen.push(s.status));
    await h.session.signIn({ email: "ana@example.com", password: "correct horse battery" });
    expect(await h.session.accessToken()).toBe("token-100");
    await h.session.signOut();
    expect(h.fakeApi.logout).toHaveBeenCalledTimes(1);
    expect(await h.session.accessToken()).toBeNull();
    expect(seen).toEqual(["signed-in", "anonymous"]);
    expect(h.posted).toEqual([{ type: "signed-in" }, { type: "signed-out" }]);
    expect(h.timers).toHaveLength(0);
  });

  it("follows other tabs: their sign-out signs this tab out", async () => {
    const h = harness(async () => issued(1));
    await h.session.start();
    h.channel.onmessage?.({ data: { type: "signed-out" } } as MessageEvent);
    expect(h.session.state().status).toBe("anonymous");
    expect(await h.session.accessToken()).toBeNull();
  });
});

describe("signed-in hint (no refresh request, so no 401 in the console, for anonymous visitors)", () => {
  const memoryHint = (until: number) => {
    const hint = {
      until,
      get: () => hint.until,
      set(v: number) {
        hint.until = v;
      },
    };
    return hint;
  };

  it("without a hint the visitor is anonymous at once and the API is never asked", async () => {
    const hint = memoryHint(0);
    const h = harness(async () => issued(1), hint);
    expect(await h.session.start()).toEqual({ status: "anonymous", user: null });
    expect(await h.session.accessToken()).toBeNull();
    expect(h.fakeApi.refresh).not.toHaveBeenCalled();
  });

  it("a lapsed hint counts as none", async () => {
    const h = harness(async () => issued(1), memoryHint(NOW - 1));
    expect((await h.session.start()).status).toBe("anonymous");
    expect(h.fakeApi.refresh).not.toHaveBeenCalled();
  });

  it("with a hint the cookie is traded as before, and each refresh slides the hint", async () => {
    const hint = memoryHint(NOW + 1000);
    const h = harness(async () => issued(1), hint);
    expect((await h.session.start()).status).toBe("signed-in");
    expect(h.fakeApi.refresh).toHaveBeenCalledTimes(1);
    expect(hint.until).toBe(NOW + SESSION_HINT_TTL_MS);
  });

  it("a refused refresh clears the hint; a network failure keeps it", async () => {
    const refused = memoryHint(NOW + 1000);
    const h = harness(async () => {
      throw new ApiError(401, "invalid_refresh_token", "signed out");
    }, refused);
    expect((await h.session.start()).status).toBe("anonymous");
    expect(refused.until).toBe(0);

    const offline = memoryHint(NOW + 1000);
    const o = harness(async () => {
      throw new ApiError(0, "network_error", "offline");
    }, offline);
    expect((await o.session.start()).status).toBe("error");
    expect(offline.until).toBe(NOW + 1000);
  });

  it("signing in sets it, signing out clears it; another tab's sign-in is still picked up", async () => {
    const hint = memoryHint(0);
    const h = harness(async () => issued(7), hint);
    await h.session.start();
    await h.session.signIn({ email: "ana@example.com", password: "correct horse battery" });
    expect(hint.until).toBe(NOW + SESSION_HINT_TTL_MS);
    await h.session.signOut();
    expect(hint.until).toBe(0);

    h.channel.onmessage?.({ data: { type: "signed-in" } } as MessageEvent);
    await vi.waitFor(() => expect(h.session.state().status).toBe("signed-in"));
    expect(await h.session.accessToken()).toBe("token-7");
  });
});

describe("API client and expired access tokens", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("refreshes once on 401 token_expired and retries with the new token", async () => {
    // Importing auth-session wired the real session into the client; drive it through fetch.
    const seen: (string | null)[] = [];
    let refreshes = 0;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (path: string, init: RequestInit) => {
        const auth = new Headers(init.headers).get("authorization");
        if (path === "/api/auth/refresh") {
          refreshes++;
          // The real session reads the wall clock, not NOW: issue tokens that are fresh by it.
          return Response.json(issued(refreshes, Date.now() - NOW + 15 * 60_000));
        }
        seen.push(auth);
        if (auth === "Bearer token-1") {
          return Response.json({ error: { code: "token_expired", message: "expired" } }, { status: 401 });
        }
        return Response.json({ user, sessionId: "s_x" });
      }),
    );
    const me = await api.me();
    expect(me.user).toEqual(user);
    expect(seen).toEqual(["Bearer token-1", "Bearer token-2"]);
    expect(refreshes).toBe(2);
  });
});
