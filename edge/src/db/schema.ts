/**
 * D1 schema (drizzle). The durable truth about videos and their uploads; migrations in
 * /migrations are generated from this file with `npx drizzle-kit generate`.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const videos = sqliteTable(
  "videos",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id"),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    visibility: text("visibility", { enum: ["public", "unlisted", "private"] })
      .notNull()
      .default("public"),
    status: text("status", { enum: ["uploading", "queued", "processing", "ready", "failed"] }).notNull(),
    playable: integer("playable", { mode: "boolean" }).notNull().default(false),
    failureReason: text("failure_reason"),
    // upload
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    partSize: integer("part_size").notNull(),
    partCount: integer("part_count").notNull(),
    uploadId: text("upload_id"),
    uploadExpiresAt: integer("upload_expires_at").notNull(),
    // job
    jobId: text("job_id"),
    attempt: integer("attempt").notNull().default(0),
    attemptId: text("attempt_id"),
    lastEventSeq: integer("last_event_seq").notNull().default(-1),
    heartbeatAt: integer("heartbeat_at"),
    progressJson: text("progress_json"),
    // media
    durationSec: real("duration_sec"),
    width: integer("width"),
    height: integer("height"),
    probeJson: text("probe_json"),
    renditionsJson: text("renditions_json").notNull().default("[]"),
    masterKey: text("master_key"),
    posterKey: text("poster_key"),
    createdAt: integer("created_at")
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
    updatedAt: integer("updated_at")
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
    queuedAt: integer("queued_at"),
    readyAt: integer("ready_at"),
  },
  (t) => [
    index("videos_status_idx").on(t.status, t.updatedAt),
    index("videos_owner_idx").on(t.ownerId, t.createdAt),
    index("videos_public_idx").on(t.visibility, t.status, t.createdAt),
  ],
);

export const uploadParts = sqliteTable(
  "upload_parts",
  {
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    partNumber: integer("part_number").notNull(),
    etag: text("etag").notNull(),
    size: integer("size").notNull(),
    createdAt: integer("created_at")
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.partNumber] })],
);

export type VideoRow = typeof videos.$inferSelect;
export type UploadPartRow = typeof uploadParts.$inferSelect;
