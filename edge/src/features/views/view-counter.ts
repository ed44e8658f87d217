/**
 * ViewCounter: one SQLite-backed Durable Object per video that counts its views (ADR 0016).
 * Each heartbeat updates the viewer's window state and the buffered totals (views, watch
 * time, retention samples, signed-in viewers' positions) in the object's own SQLite,
 * which is durable before the RPC returns (the output gate), so an eviction loses nothing.
 * An alarm flushes the buffer to D1 in one batch of at most five statements, every
 * VIEW_FLUSH_SECONDS while there is something to flush (0 = write through on every
 * heartbeat: the naive baseline of `npm run bench:community`). Nothing is kept in memory.
 */
import { DurableObject } from "cloudflare:workers";
import type { DeviceClass, TrafficSource } from "@streamline/contracts";
import { loadConfig } from "../../config.ts";
import { errorMessage, log } from "../../lib/log.ts";
import { type FlushBatch, flushStatements, type HistoryEntry, isEmpty } from "./view-flush.ts";
import {
  applyBeat,
  isFinished,
  retentionBucket,
  utcDay,
  type ViewerState,
  type ViewRules,
} from "./view-rules.ts";

export interface HeartbeatInput {
  videoId: string;
  /** `u:<userId>` or `a:<device>` (view-token.ts). */
  viewer: string;
  userId: string | null;
  issuedAt: number;
  positionSec: number;
  playedSec: number;
  durationSec: number | null;
  /** The edge's clock (ms); tests pass their own. */
  now: number;
  /** Where the view came from (the player sends it once); the viewer's first in a window wins (ADR 0023). */
  source?: TrafficSource | null;
  /** The device class of this heartbeat's request (device-class.ts). */
  device?: DeviceClass;
}

export interface HeartbeatResult {
  counted: boolean;
  acceptedSec: number;
}

export interface CounterStats {
  flushes: number;
  /** D1 statements sent by every flush so far (the bench's "D1 writes"). */
  statements: number;
  heartbeats: number;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS viewers (viewer TEXT PRIMARY KEY, window_start INTEGER NOT NULL,
     played REAL NOT NULL, counted INTEGER NOT NULL, last_beat INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS pending_days (day TEXT PRIMARY KEY, views INTEGER NOT NULL, watch_sec REAL NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS pending_traffic (day TEXT NOT NULL, dim TEXT NOT NULL, key TEXT NOT NULL,
     views INTEGER NOT NULL, watch_sec REAL NOT NULL, PRIMARY KEY (day, dim, key))`,
  "CREATE TABLE IF NOT EXISTS pending_retention (bucket INTEGER PRIMARY KEY, samples INTEGER NOT NULL)",
  `CREATE TABLE IF NOT EXISTS pending_history (user_id TEXT PRIMARY KEY, position REAL NOT NULL,
     duration REAL, watched_at INTEGER NOT NULL)`,
  "CREATE TABLE IF NOT EXISTS inflight (id INTEGER PRIMARY KEY CHECK (id = 1), batch TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
];

type Row = Record<string, SqlStorageValue>;

export class ViewCounter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Flushes run one after another: a second never resends the batch the first has in flight. */
  private flushing: Promise<number> = Promise.resolve(0);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    for (const statement of SCHEMA) this.sql.exec(statement);
    // Objects created before ADR 0023 lack the viewer's traffic source.
    const columns = this.sql.exec<{ name: string }>("PRAGMA table_info(viewers)").toArray();
    if (!columns.some((c) => c.name === "source"))
      this.sql.exec("ALTER TABLE viewers ADD COLUMN source TEXT");
  }

  private rules(): ViewRules & { flushMs: number } {
    const c = loadConfig(this.env);
    return {
      windowMs: c.VIEW_WINDOW_SECONDS * 1000,
      minPlayedSec: c.VIEW_MIN_PLAYED_SECONDS,
      slackSec: c.VIEW_CLAMP_SLACK_SECONDS,
      flushMs: c.VIEW_FLUSH_SECONDS * 1000,
    };
  }

  private meta(key: string): string | undefined {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row?.value;
  }

  private setMeta(key: string, value: string | number) {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, String(value));
  }

  private bump(key: string, by = 1) {
    this.setMeta(key, Number(this.meta(key) ?? 0) + by);
  }

  /** One heartbeat: clamp, count, buffer — durable before it returns. */
  async heartbeat(input: HeartbeatInput): Promise<HeartbeatResult> {
    const rules = this.rules();
    const prev = this.viewer(input.viewer);
    const outcome = applyBeat(prev?.state, { ...input }, rules);
    // A fresh window takes this heartbeat's source; inside a window the first one sent wins.
    const sameWindow = prev !== undefined && prev.state.windowStart === outcome.state.windowStart;
    const source = (sameWindow ? prev.source : null) ?? input.source ?? null;
    this.saveViewer(input.viewer, outcome.state, source);
    this.buffer(input, outcome.acceptedSec, outcome.countedNow);
    this.bufferTraffic(input, outcome.acceptedSec, outcome.countedNow, source ?? "direct");
    if (rules.flushMs === 0) await this.flush();
    else if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(input.now + rules.flushMs);
    return { counted: outcome.state.counted, acceptedSec: outcome.acceptedSec };
  }

  private viewer(viewer: string): { state: ViewerState; source: TrafficSource | null } | undefined {
    const row = this.sql.exec<Row>("SELECT * FROM viewers WHERE viewer = ?", viewer).toArray()[0];
    if (!row) return undefined;
    const state = {
      windowStart: Number(row.window_start),
      playedSec: Number(row.played),
      counted: row.counted === 1,
      lastBeatAt: Number(row.last_beat),
    };
    return { state, source: (row.source as TrafficSource | null) ?? null };
  }

  private saveViewer(viewer: string, s: ViewerState, source: TrafficSource | null) {
    this.sql.exec(
      `INSERT OR REPLACE INTO viewers (viewer, window_start, played, counted, last_beat, source)
       VALUES (?, ?, ?, ?, ?, ?)`,
      viewer,
      s.windowStart,
      s.playedSec,
      s.counted ? 1 : 0,
      s.lastBeatAt,
      source,
    );
  }

  /** Views and watch time by the viewer's traffic source and this request's device class. */
  private bufferTraffic(
    input: HeartbeatInput,
    acceptedSec: number,
    countedNow: boolean,
    source: TrafficSource,
  ) {
    if (acceptedSec <= 0 && !countedNow) return;
    const day = utcDay(input.now);
    for (const [dim, key] of [
      ["source", source],
      ["device", input.device ?? "desktop"],
    ]) {
      this.sql.exec(
        `INSERT INTO pending_traffic (day, dim, key, views, watch_sec) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (day, dim, key) DO UPDATE SET views = views + ?4, watch_sec = watch_sec + ?5`,
        day,
        dim,
        key,
        countedNow ? 1 : 0,
        acceptedSec,
      );
    }
  }

  private buffer(input: HeartbeatInput, acceptedSec: number, countedNow: boolean) {
    if (!this.meta("videoId")) this.setMeta("videoId", input.videoId);
    this.bump("heartbeats");
    if (acceptedSec > 0 || countedNow) {
      this.sql.exec(
        `INSERT INTO pending_days (day, views, watch_sec) VALUES (?1, ?2, ?3)
         ON CONFLICT (day) DO UPDATE SET views = views + ?2, watch_sec = watch_sec + ?3`,
        utcDay(input.now),
        countedNow ? 1 : 0,
        acceptedSec,
      );
    }
    const bucket = acceptedSec > 0 ? retentionBucket(input.positionSec, input.durationSec) : null;
    if (bucket !== null) {
      this.sql.exec(
        `INSERT INTO pending_retention (bucket, samples) VALUES (?, 1)
         ON CONFLICT (bucket) DO UPDATE SET samples = samples + 1`,
        bucket,
      );
    }
    if (input.userId) {
      const position = isFinished(input.positionSec, input.durationSec) ? 0 : input.positionSec;
      this.sql.exec(
        "INSERT OR REPLACE INTO pending_history (user_id, position, duration, watched_at) VALUES (?, ?, ?, ?)",
        input.userId,
        position,
        input.durationSec,
        input.now,
      );
    }
  }

  /** Moves the buffer into `inflight` (one synchronous step: no heartbeat lands in between). */
  private takePending(): FlushBatch | null {
    const stored = this.sql.exec<{ batch: string }>("SELECT batch FROM inflight").toArray()[0];
    if (stored) return JSON.parse(stored.batch) as FlushBatch;
    const batch: FlushBatch = {
      videoId: this.meta("videoId") ?? "",
      views: 0,
      watchSec: 0,
      days: {},
      retention: {},
      history: [],
      traffic: [],
    };
    for (const r of this.sql.exec<Row>("SELECT * FROM pending_days")) {
      batch.days[String(r.day)] = [Number(r.views), Number(r.watch_sec)];
      batch.views += Number(r.views);
      batch.watchSec += Number(r.watch_sec);
    }
    for (const r of this.sql.exec<Row>("SELECT * FROM pending_retention"))
      batch.retention[String(r.bucket)] = Number(r.samples);
    batch.history = this.sql.exec<Row>("SELECT * FROM pending_history").toArray().map(toHistoryEntry);
    batch.traffic = this.sql
      .exec<Row>("SELECT * FROM pending_traffic")
      .toArray()
      .map((r) => [String(r.day), String(r.dim), String(r.key), Number(r.views), Number(r.watch_sec)]);
    if (!batch.videoId || isEmpty(batch)) return null;
    this.sql.exec("DELETE FROM pending_days");
    this.sql.exec("DELETE FROM pending_retention");
    this.sql.exec("DELETE FROM pending_history");
    this.sql.exec("DELETE FROM pending_traffic");
    this.sql.exec("INSERT INTO inflight (id, batch) VALUES (1, ?)", JSON.stringify(batch));
    return batch;
  }

  /**
   * Sends the buffer to D1. The batch sits in `inflight` until D1 answered, so an eviction
   * or a D1 failure retries the same batch (never loses it); a crash between D1's commit
   * and clearing `inflight` would apply that one batch twice (ADR 0016).
   */
  flush(): Promise<number> {
    this.flushing = this.flushing.catch(() => 0).then(() => this.flushOnce());
    return this.flushing;
  }

  private async flushOnce(): Promise<number> {
    const batch = this.takePending();
    if (!batch) return 0;
    const statements = flushStatements(this.env.DB, batch);
    if (statements.length > 0) await this.env.DB.batch(statements);
    this.sql.exec("DELETE FROM inflight");
    this.bump("flushes");
    this.bump("statements", statements.length);
    log.info("views.flush", { videoId: batch.videoId, views: batch.views, statements: statements.length });
    return statements.length;
  }

  override async alarm(): Promise<void> {
    const { flushMs, windowMs } = this.rules();
    try {
      await this.flush();
    } catch (err) {
      log.error("views.flush failed; retrying at the next alarm", { error: errorMessage(err) });
      await this.ctx.storage.setAlarm(Date.now() + Math.max(flushMs, 1000));
      return;
    }
    // Viewers whose window is over start a fresh one at their next heartbeat anyway.
    this.sql.exec("DELETE FROM viewers WHERE last_beat < ?", Date.now() - windowMs);
    if (this.hasPending()) await this.ctx.storage.setAlarm(Date.now() + flushMs);
  }

  private hasPending(): boolean {
    const one = (table: string) => this.sql.exec(`SELECT 1 FROM ${table} LIMIT 1`).toArray().length > 0;
    return (
      one("pending_days") ||
      one("pending_retention") ||
      one("pending_history") ||
      one("pending_traffic") ||
      one("inflight")
    );
  }

  /** A position not flushed yet, so resume is fresh right after a heartbeat. */
  async pendingPosition(userId: string): Promise<number | null> {
    const row = this.sql
      .exec<Row>("SELECT position FROM pending_history WHERE user_id = ?", userId)
      .toArray()[0];
    if (row) return Number(row.position);
    const inflight = this.sql.exec<{ batch: string }>("SELECT batch FROM inflight").toArray()[0];
    const entry = inflight
      ? (JSON.parse(inflight.batch) as FlushBatch).history.find((h) => h.userId === userId)
      : undefined;
    return entry ? entry.positionSec : null;
  }

  /** The user removed this video from their history: drop a position still buffered. */
  async forget(userId: string): Promise<void> {
    this.sql.exec("DELETE FROM pending_history WHERE user_id = ?", userId);
  }

  async stats(): Promise<CounterStats> {
    const n = (key: string) => Number(this.meta(key) ?? 0);
    return { flushes: n("flushes"), statements: n("statements"), heartbeats: n("heartbeats") };
  }
}

function toHistoryEntry(r: Row): HistoryEntry {
  return {
    userId: String(r.user_id),
    positionSec: Number(r.position),
    durationSec: r.duration === null ? null : Number(r.duration),
    watchedAt: Number(r.watched_at),
  };
}
