import { describe, expect, it } from "vitest";
import {
  connectLiveNotifications,
  type LiveNotificationsDeps,
  parseNotificationFrame,
} from "./live-notifications.ts";
import { badgeText, notificationHref, notificationText } from "./notification-text.ts";

/** Deterministic timers and sockets: each opened socket's handlers are kept for the test to drive. */
function fakeDeps(tickets: (() => Promise<{ ticket: string }>)[]) {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const sockets: {
    ticket: string;
    handlers: Parameters<LiveNotificationsDeps["openSocket"]>[1];
    sent: string[];
  }[] = [];
  const deps: LiveNotificationsDeps = {
    requestTicket: () => (tickets.shift() ?? (() => Promise.resolve({ ticket: "t" })))(),
    openSocket(ticket, handlers) {
      const s = { ticket, handlers, sent: [] as string[] };
      sockets.push(s);
      return { send: (d) => s.sent.push(d), close: () => {} };
    },
    setTimeout: (fn, ms) => timers.push({ at: now + ms, fn }),
    clearTimeout: () => {},
    setInterval: () => 0,
    clearInterval: () => {},
    random: () => 1,
    now: () => now,
  };
  const advance = async (ms: number) => {
    now += ms;
    for (const t of timers.splice(0).filter((t) => t.at <= now)) t.fn();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { deps, sockets, timers, advance };
}

describe("live notifications socket", () => {
  it("passes frames on, reconnects with a fresh ticket and growing backoff after closes", async () => {
    const { deps, sockets, timers, advance } = fakeDeps([
      () => Promise.resolve({ ticket: "a" }),
      () => Promise.reject(new Error("offline")),
      () => Promise.resolve({ ticket: "c" }),
    ]);
    const frames: unknown[] = [];
    const live = connectLiveNotifications(deps, (m) => frames.push(m));
    await advance(0);
    expect(sockets.map((s) => s.ticket)).toEqual(["a"]);
    sockets[0]!.handlers.onOpen();
    sockets[0]!.handlers.onMessage(JSON.stringify({ type: "unread", unreadCount: 2 }));
    sockets[0]!.handlers.onMessage("not json");
    expect(frames).toEqual([{ type: "unread", unreadCount: 2 }]);
    sockets[0]!.handlers.onClose();
    const first = timers[0]!.at;
    await advance(first);
    // The ticket request failed: another, longer wait.
    expect(sockets).toHaveLength(1);
    expect(timers[0]!.at - first).toBeGreaterThan(first);
    await advance(timers[0]!.at);
    expect(sockets.map((s) => s.ticket)).toEqual(["a", "c"]);
    live.stop();
  });

  it("parses only notification and unread frames", () => {
    expect(parseNotificationFrame('{"type":"unread","unreadCount":0}')).toEqual({
      type: "unread",
      unreadCount: 0,
    });
    expect(parseNotificationFrame('{"type":"other","unreadCount":0}')).toBeNull();
    expect(parseNotificationFrame("pong")).toBeNull();
  });
});

describe("notification text", () => {
  const base = { id: "n_1", createdAt: "2026-12-07T10:00:00.000Z", read: false } as const;
  const actor = { handle: "ana", displayName: "Ana", avatarUrl: null };
  it("says who did what, and links where it happened", () => {
    const video = { id: "v_1", title: "Bay" };
    expect(notificationText({ ...base, type: "new_video", actor, video })).toBe("Ana uploaded Bay");
    expect(
      notificationText({
        ...base,
        type: "comment_reply",
        actor,
        video,
        comment: { id: "c_1", excerpt: "Yes!" },
      }),
    ).toBe("Ana replied to your comment: “Yes!”");
    expect(notificationText({ ...base, type: "video_failed", video })).toBe(
      "Your video Bay could not be processed",
    );
    expect(notificationHref({ ...base, type: "video_failed", video })).toBe("/studio/v_1");
    expect(notificationHref({ ...base, type: "new_video", video })).toBe("/watch/v_1");
    expect([badgeText(0), badgeText(7), badgeText(120)]).toEqual(["", "7", "99+"]);
  });
});
