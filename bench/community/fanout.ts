/**
 * Notification fan-out (ADR 0017): a channel with SUBSCRIBERS (10,000) subscribers publishes
 * (a private, ready video made public: the PATCH is t0); measured: the time until the last
 * `new_video` row is stored (the queue consumer logs `notifications.fanout` with the video id when its last
 * INSERT returned; checked against a count of the rows), and live delivery to LIVE (1,000)
 * subscribers holding open `GET /ws/notifications` sockets: per socket, t0 → the frame.
 * Subscribers are accounts seeded into the stack's D1 (`wrangler d1 execute --file`); their
 * one-time tickets are signed by the bench with the stack's JWT secret (10,000 sign-ups
 * would only measure PBKDF2).
 *
 * Baseline, same run: a second stack with NOTIFICATIONS_FANOUT=per_subscriber — one INSERT
 * and, for the online, one push per subscriber, in the consumer's one invocation.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { SignJWT } from "jose";
import { api, E2E_SECRETS, signUpViaApi, uploadFile, waitForVideo } from "../../e2e/support.ts";
import { ensureFixtures } from "../../scripts/make-fixtures.ts";
import { appendResultsRow, load1, round } from "../lib/results.ts";
import { executeSqlFile, query, subscriptionRows, userRows } from "./d1-seed.ts";
import type { BenchContext, BenchStack, Section } from "./section.ts";

const SUBSCRIBERS = Number(process.env.FANOUT_SUBSCRIBERS ?? 10_000);
const LIVE = Number(process.env.FANOUT_LIVE ?? 1000);
const key = new TextEncoder().encode(E2E_SECRETS.JWT_SECRET);

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const ticketFor = (userId: string) =>
  new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setAudience("streamline:ws:notifications")
    .setJti(crypto.randomUUID().replaceAll("-", ""))
    .setExpirationTime(Math.floor(Date.now() / 1000) + 60)
    .sign(key);

interface Listener {
  ws: WebSocket;
  arrivedAt?: number;
}

function open(origin: string, id: string, l: Listener): Promise<void> {
  return ticketFor(id).then(
    (ticket) =>
      new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`${origin.replace(/^http/, "ws")}/ws/notifications?ticket=${ticket}`);
        l.ws = ws;
        ws.onmessage = (e) => {
          const m = JSON.parse(String(e.data)) as { type: string };
          if (m.type === "unread") resolve();
          if (m.type === "notification") l.arrivedAt ??= performance.now();
        };
        ws.onerror = () => reject(new Error(`socket for ${id} failed`));
      }),
  );
}

/** Opens the sockets 100 at a time (a refused one is tried again); each has had its first (`unread`) frame. */
async function connect(origin: string, userIds: string[]): Promise<Listener[]> {
  const all: Listener[] = [];
  for (let i = 0; i < userIds.length; i += 100) {
    const wave = userIds.slice(i, i + 100).map(async (id) => {
      const l = {} as Listener;
      await open(origin, id, l).catch(() => sleep(500).then(() => open(origin, id, l)));
      return l;
    });
    all.push(...(await Promise.all(wave)));
  }
  return all;
}

/** Closes every socket and waits for the closes (the next stack's sockets need the descriptors). */
async function disconnect(listeners: Listener[]) {
  await Promise.all(
    listeners.map(
      (l) =>
        new Promise<void>((resolve) => {
          if (l.ws.readyState === WebSocket.CLOSED) return resolve();
          l.ws.onclose = () => resolve();
          l.ws.close();
          setTimeout(resolve, 10_000);
        }),
    ),
  );
}

async function privateReadyVideo(stack: BenchStack) {
  const { "clip-640x360-2s.mp4": source } = await ensureFixtures(["clip-640x360-2s.mp4"]);
  const owner = await signUpViaApi(stack.origin, "fanout");
  await api(stack.origin, "/api/me/preferences", {
    method: "PATCH",
    json: { defaultVisibility: "private" },
    token: owner.token,
  });
  const { videoId } = await uploadFile(stack.origin, source, { title: "Fan-out", token: owner.token });
  await waitForVideo<{ status: string }>(
    stack.origin,
    videoId,
    (v) => v.status === "ready",
    240_000,
    owner.token,
  );
  return { owner, videoId };
}

async function measure(ctx: BenchContext, stack: BenchStack, label: string) {
  const { owner, videoId } = await privateReadyVideo(stack);
  const persistTo = `${stack.dataDir}/wrangler`;
  const ids = Array.from(
    { length: SUBSCRIBERS },
    (_, i) => `u_${label}${String(i).padStart(14 - label.length, "0")}`,
  );
  await executeSqlFile(persistTo, stack.dataDir, `fanout-${label}`, [
    ...userRows(ids, `fan${label}`),
    ...subscriptionRows(ids, [owner.userId], Date.now()),
  ]);
  const listeners = await connect(stack.origin, ids.slice(0, LIVE));
  let stored = 0;
  const done = new Promise<number>((resolve) => {
    const stop = ctx.onLine((line) => {
      if (!line.includes('"msg":"notifications.fanout"') || !line.includes(`"videoId":"${videoId}"`)) return;
      stop();
      resolve(performance.now());
    });
  });
  const t0 = performance.now();
  const patch = await api(stack.origin, `/api/videos/${videoId}`, {
    method: "PATCH",
    json: { visibility: "public" },
    token: owner.token,
  });
  if (patch.status !== 200) throw new Error(`publish: ${patch.status}`);
  const storedAt = await Promise.race([done, sleep(600_000).then(() => Number.NaN)]);
  for (let i = 0; i < 240 && listeners.some((l) => l.arrivedAt === undefined); i++) await sleep(500);
  const rows = await query<{ n: number }>(
    persistTo,
    `select count(*) as n from notifications where video_id = '${videoId}' and type = 'new_video'`,
  );
  stored = rows[0]?.n ?? 0;
  await disconnect(listeners);
  const delivery = listeners
    .flatMap((l) => (l.arrivedAt === undefined ? [] : [l.arrivedAt - t0]))
    .sort((a, b) => a - b);
  return {
    subscribers: SUBSCRIBERS,
    stored,
    lastStoredMs: round(storedAt - t0, 0),
    live: LIVE,
    delivered: delivery.length,
    deliveryP50Ms: round(percentile(delivery, 50), 0),
    deliveryP99Ms: round(percentile(delivery, 99), 0),
  };
}

export const fanoutSection: Section = {
  name: "fanout",
  async run(ctx) {
    const loadStart = await load1();
    const batched = await measure(ctx, ctx.stack, "b");
    console.log("fanout batched", JSON.stringify(batched));
    const naiveStack = await ctx.startStack({ edgeVars: { NOTIFICATIONS_FANOUT: "per_subscriber" } });
    let naive: Awaited<ReturnType<typeof measure>>;
    try {
      naive = await measure(ctx, naiveStack, "n");
    } finally {
      await naiveStack.stop();
    }
    const loadEnd = await load1();
    await appendResultsRow(
      "## Notification fan-out: one channel publishes (`npm run bench:community`)",
      [
        "A private, ready video of a channel with 10,000 subscribers (seeded accounts) is made public (t0). Stored:",
        "t0 → the consumer's last `new_video` INSERT returned (rows counted after). Live: 1,000 of the subscribers",
        "hold `/ws/notifications` sockets; t0 → each one's frame. Baseline (same run): a second stack with",
        "`NOTIFICATIONS_FANOUT=per_subscriber` (one INSERT and one push per subscriber, in one consumer invocation).",
        "",
        "| date | subscribers / live | last stored | live p50 / p99 (delivered) | baseline: last stored, live p50 / p99 (delivered) | load 1m |",
        "| --- | --- | --- | --- | --- | --- |",
      ],
      `| ${new Date().toISOString().slice(0, 10)} | ${batched.subscribers} / ${batched.live} | ${batched.lastStoredMs} ms (${batched.stored} rows) | ${batched.deliveryP50Ms} / ${batched.deliveryP99Ms} ms (${batched.delivered}) | ${naive.lastStoredMs} ms (${naive.stored} rows), ${naive.deliveryP50Ms} / ${naive.deliveryP99Ms} ms (${naive.delivered}) | ${loadStart} → ${loadEnd} |`,
    );
    return { batched, naive, loadStart, loadEnd };
  },
};
