/**
 * The signed-in state of this tab. The access token lives only in memory (never in
 * storage a script injection could read later); on page load the HttpOnly refresh cookie
 * is traded for a new one (`POST /api/auth/refresh`), and again a minute before it
 * expires. Refreshes are serialised across tabs with a Web Lock: the server rotates the
 * refresh token on every use and treats a second use of an old one as theft, so two tabs
 * must never refresh with the same cookie at once. Sign-in and sign-out are broadcast to
 * the other tabs.
 *
 * `authSession` is wired to the API client: every request waits for the first refresh,
 * carries the token, and a 401 `token_expired` triggers one refresh and a retry.
 *
 * Page scripts can't see the HttpOnly cookie, so without a hint every anonymous page load
 * would ask `POST /api/auth/refresh` and get the expected 401 — which browsers log as a
 * console error. A small "may be signed in until …" hint in localStorage (no token, just a
 * timestamp, like Auth0's `is.authenticated` cookie) is set on every sign-in and refresh and
 * cleared on sign-out or a refused refresh; without it we are signed out and never ask.
 */
import {
  ApiError,
  type AuthResponse,
  api,
  type LoginRequest,
  type SignupRequest,
  setAccessTokenProvider,
  setAccessTokenRefresher,
  type UserDto,
} from "./api.ts";

export type AuthStatus = "unknown" | "signed-in" | "anonymous" | "error";
export interface AuthState {
  status: AuthStatus;
  user: UserDto | null;
}

/** Refresh this long before the access token expires. */
const REFRESH_EARLY_MS = 60_000;
/** A token this close to expiry is refreshed before use. */
const STALE_MS = 15_000;
const MIN_TIMER_MS = 5_000;
const LOCK_NAME = "streamline-auth-refresh";
const CHANNEL_NAME = "streamline-auth";
const HINT_KEY = "streamline:signed-in-until";
/** The refresh cookie's sliding lifetime (edge: 30 days); a hint never outlives it. */
export const SESSION_HINT_TTL_MS = 30 * 24 * 3600 * 1000;

/** Pages that make no sense without an account: anonymous visitors go to /login and come back. */
const USER_PAGES = ["/upload", "/account", "/studio", "/history", "/feed"];

export function requiresUser(pathname: string): boolean {
  return USER_PAGES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

/** Only same-site paths: `?next=https://evil.example` or `//evil.example` must not become a redirect. */
export function safeNext(next: string | null | undefined, fallback = "/"): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  // Control characters (tabs, newlines) are stripped by URL parsers and could turn "/\t/x" into "//x".
  if ([...next].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) return fallback;
  return next;
}

export function loginUrl(next: string): string {
  return `/login?next=${encodeURIComponent(safeNext(next))}`;
}

/** Whether this browser may hold a refresh cookie (see the module comment). */
export interface SessionHint {
  /** Epoch ms until which a refresh cookie may exist; 0 = signed out. */
  get(): number;
  set(until: number): void;
}

export interface AuthDeps {
  api: Pick<typeof api, "refresh" | "login" | "signup" | "logout">;
  /** Absent: always ask the API on start. */
  hint?: SessionHint;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Runs `fn` while holding a cross-tab lock (Web Locks); absent = no other tabs to fear. */
  withLock?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Opened on first use: tells other tabs about sign-in/out (BroadcastChannel). */
  openChannel?: () => AuthChannel | null;
}

export interface AuthChannel {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

/** One tab's session: the token in memory, its refresh timer, and who is listening. */
interface Session {
  readonly deps: AuthDeps;
  readonly now: () => number;
  readonly setTimer: (fn: () => void, ms: number) => unknown;
  readonly clearTimer: (handle: unknown) => void;
  readonly withLock: <T>(fn: () => Promise<T>) => Promise<T>;
  readonly listeners: Set<(s: AuthState) => void>;
  token: string | null;
  expiresAt: number;
  state: AuthState;
  timer: unknown;
  inflight: Promise<boolean> | null;
  started: Promise<AuthState> | null;
  /** Opened on first use; null when there is no channel to other tabs. */
  channel: AuthChannel | null | undefined;
}

export function createAuthSession(deps: AuthDeps) {
  const s = newSession(deps);
  return {
    start: () => start(s),
    refresh: () => refresh(s),
    state: () => s.state,
    subscribe(listener: (s: AuthState) => void): () => void {
      s.listeners.add(listener);
      return () => s.listeners.delete(listener);
    },

    /** For the API client: waits for the first refresh, renews a token about to expire. */
    async accessToken(): Promise<string | null> {
      await start(s);
      if (s.token && s.now() > s.expiresAt - STALE_MS) await refresh(s);
      return s.token;
    },

    async signIn(body: LoginRequest): Promise<UserDto> {
      return signedIn(s, await deps.api.login(body));
    },

    async signUp(body: SignupRequest): Promise<UserDto> {
      return signedIn(s, await deps.api.signup(body));
    },

    async signOut(): Promise<void> {
      try {
        await deps.api.logout();
      } finally {
        apply(s, null);
        tabs(s)?.postMessage({ type: "signed-out" });
      }
    },
  };
}

export type AuthSession = ReturnType<typeof createAuthSession>;

function newSession(deps: AuthDeps): Session {
  return {
    deps,
    now: deps.now ?? Date.now,
    setTimer: deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms)),
    clearTimer: deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)),
    withLock: deps.withLock ?? (<T>(fn: () => Promise<T>) => fn()),
    listeners: new Set(),
    token: null,
    expiresAt: 0,
    state: { status: "unknown", user: null },
    timer: null,
    inflight: null,
    started: null,
    channel: undefined,
  };
}

function tabs(s: Session): AuthChannel | null {
  if (s.channel !== undefined) return s.channel;
  const channel = s.deps.openChannel?.() ?? null;
  s.channel = channel;
  if (channel) {
    channel.onmessage = (event) => {
      const message = event.data as { type?: string } | null;
      if (message?.type === "signed-out") apply(s, null);
      // Another tab signed in: its cookie is now ours too; fetch a token of our own.
      if (message?.type === "signed-in") void refresh(s);
    };
  }
  return channel;
}

function emit(s: Session, next: AuthState) {
  s.state = next;
  for (const listener of s.listeners) listener(s.state);
}

function schedule(s: Session) {
  if (s.timer !== null) s.clearTimer(s.timer);
  s.timer = null;
  if (!s.token) return;
  const delay = Math.max(MIN_TIMER_MS, s.expiresAt - s.now() - REFRESH_EARLY_MS);
  s.timer = s.setTimer(() => void refresh(s), delay);
}

function apply(s: Session, res: AuthResponse | null, status: AuthStatus = res ? "signed-in" : "anonymous") {
  s.deps.hint?.set(res ? s.now() + SESSION_HINT_TTL_MS : 0);
  s.token = res?.accessToken ?? null;
  s.expiresAt = res ? Date.parse(res.expiresAt) : 0;
  schedule(s);
  emit(s, { status, user: res?.user ?? null });
}

/** A successful sign-in or sign-up: counts as the start, and the other tabs hear of it. */
function signedIn(s: Session, res: AuthResponse): UserDto {
  s.started ??= Promise.resolve(s.state);
  apply(s, res);
  tabs(s)?.postMessage({ type: "signed-in" });
  return res.user;
}

/** One refresh at a time per tab, one at a time across tabs. Resolves true if signed in afterwards. */
function refresh(s: Session): Promise<boolean> {
  s.inflight ??= s
    .withLock(() => s.deps.api.refresh())
    .then((res) => {
      apply(s, res);
      return true;
    })
    .catch((err: unknown) => {
      // 401/403: the cookie is gone, expired or revoked — signed out. Anything else
      // (offline, 5xx, 429) says nothing about the session: keep what we have.
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) apply(s, null);
      else if (s.state.status === "unknown") emit(s, { status: "error", user: null });
      return false;
    })
    .finally(() => {
      s.inflight = null;
    });
  return s.inflight;
}

function start(s: Session): Promise<AuthState> {
  tabs(s);
  const { hint } = s.deps;
  if (!s.started && hint && !(hint.get() > s.now())) {
    // No sign-in from this browser (or it lapsed): signed out, without a request the API must refuse.
    apply(s, null);
    s.started = Promise.resolve(s.state);
  }
  s.started ??= refresh(s).then(() => s.state);
  return s.started;
}

function browserLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? locks.request(LOCK_NAME, fn) : fn();
}

/** localStorage can be missing or throw (privacy modes): then behave as if there were no hint support. */
function browserHint(): SessionHint | undefined {
  try {
    const storage = globalThis.localStorage;
    if (!storage) return undefined;
    return {
      get: () => Number(storage.getItem(HINT_KEY)) || 0,
      set(until) {
        try {
          if (until > 0) storage.setItem(HINT_KEY, String(until));
          else storage.removeItem(HINT_KEY);
        } catch {
          // Storage full or blocked: the next page load simply asks the API.
        }
      },
    };
  } catch {
    return undefined;
  }
}

/** This tab's session, wired to the API client. */
export const authSession = createAuthSession({
  api,
  hint: browserHint(),
  withLock: browserLock,
  openChannel: () => (typeof BroadcastChannel !== "undefined" ? new BroadcastChannel(CHANNEL_NAME) : null),
});

setAccessTokenProvider(() => authSession.accessToken());
setAccessTokenRefresher(() => authSession.refresh());
