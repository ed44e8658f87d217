-- Full-text search (issue 15, ADR 0021). Hand-written: drizzle does not model virtual tables,
-- so nothing below is in edge/src/db/schema.ts; edge/src/features/search/search.repo.ts reads
-- it with SQL. The index is kept in step by the triggers at the end, whoever writes the
-- tables (the API, the cron, the fleet's events, `npm run admin`); `npm run search:rebuild`
-- (scripts/search-rebuild.sql) rebuilds it from the tables.
--
-- FTS5 rowids are integers and videos/channels have text keys: a mapping table per index
-- gives each document a stable integer rowid (the implicit rowid of `videos` may change on
-- VACUUM). bm25 weights (title > tags > channel > description > captions) are passed at
-- query time, not stored.

-- Cue text of each caption track, extracted from the WebVTT at upload/replace time.
CREATE TABLE `caption_texts` (
	`video_id` text NOT NULL,
	`lang` text NOT NULL,
	`text` text NOT NULL,
	PRIMARY KEY(`video_id`, `lang`),
	FOREIGN KEY (`video_id`,`lang`) REFERENCES `captions`(`video_id`,`lang`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `search_video_rows` (
	`rowid` integer PRIMARY KEY NOT NULL,
	`video_id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_video_rows_video_uq` ON `search_video_rows` (`video_id`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `search_videos_fts` USING fts5(
	title, tags, channel, description, captions,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3'
);
--> statement-breakpoint
CREATE TABLE `search_channel_rows` (
	`rowid` integer PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_channel_rows_user_uq` ON `search_channel_rows` (`user_id`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `search_channels_fts` USING fts5(
	name, handle, description,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3'
);
--> statement-breakpoint
-- ── videos ──────────────────────────────────────────────────────────────────────────────
CREATE TRIGGER `search_videos_ai` AFTER INSERT ON `videos` BEGIN
	INSERT INTO `search_video_rows` (`video_id`) VALUES (new.`id`);
	INSERT INTO `search_videos_fts` (rowid, title, tags, channel, description, captions)
	SELECT r.rowid, new.`title`,
		coalesce((SELECT group_concat(value, ' ') FROM json_each(new.`tags_json`)), ''),
		coalesce((SELECT c.`display_name` || ' ' || u.`handle` FROM `users` u JOIN `channels` c ON c.`user_id` = u.`id` WHERE u.`id` = new.`owner_id`), ''),
		new.`description`, ''
	FROM `search_video_rows` r WHERE r.`video_id` = new.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `search_videos_au` AFTER UPDATE OF `title`, `description`, `tags_json`, `owner_id` ON `videos` BEGIN
	UPDATE `search_videos_fts` SET
		title = new.`title`,
		tags = coalesce((SELECT group_concat(value, ' ') FROM json_each(new.`tags_json`)), ''),
		channel = coalesce((SELECT c.`display_name` || ' ' || u.`handle` FROM `users` u JOIN `channels` c ON c.`user_id` = u.`id` WHERE u.`id` = new.`owner_id`), ''),
		description = new.`description`
	WHERE rowid = (SELECT r.rowid FROM `search_video_rows` r WHERE r.`video_id` = new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_videos_ad` AFTER DELETE ON `videos` BEGIN
	DELETE FROM `search_videos_fts` WHERE rowid = (SELECT r.rowid FROM `search_video_rows` r WHERE r.`video_id` = old.`id`);
	DELETE FROM `search_video_rows` WHERE `video_id` = old.`id`;
END;
--> statement-breakpoint
-- ── caption text ────────────────────────────────────────────────────────────────────────
CREATE TRIGGER `search_captions_ai` AFTER INSERT ON `caption_texts` BEGIN
	UPDATE `search_videos_fts` SET captions = coalesce((SELECT group_concat(t.`text`, ' ') FROM `caption_texts` t WHERE t.`video_id` = new.`video_id`), '')
	WHERE rowid = (SELECT r.rowid FROM `search_video_rows` r WHERE r.`video_id` = new.`video_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_captions_au` AFTER UPDATE ON `caption_texts` BEGIN
	UPDATE `search_videos_fts` SET captions = coalesce((SELECT group_concat(t.`text`, ' ') FROM `caption_texts` t WHERE t.`video_id` = new.`video_id`), '')
	WHERE rowid = (SELECT r.rowid FROM `search_video_rows` r WHERE r.`video_id` = new.`video_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_captions_ad` AFTER DELETE ON `caption_texts` BEGIN
	UPDATE `search_videos_fts` SET captions = coalesce((SELECT group_concat(t.`text`, ' ') FROM `caption_texts` t WHERE t.`video_id` = old.`video_id`), '')
	WHERE rowid = (SELECT r.rowid FROM `search_video_rows` r WHERE r.`video_id` = old.`video_id`);
END;
--> statement-breakpoint
-- ── channels (their own index, and the channel column of their videos) ──────────────────
CREATE TRIGGER `search_channels_ai` AFTER INSERT ON `channels` BEGIN
	INSERT INTO `search_channel_rows` (`user_id`) VALUES (new.`user_id`);
	INSERT INTO `search_channels_fts` (rowid, name, handle, description)
	SELECT r.rowid, new.`display_name`, coalesce((SELECT u.`handle` FROM `users` u WHERE u.`id` = new.`user_id`), ''), new.`description`
	FROM `search_channel_rows` r WHERE r.`user_id` = new.`user_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `search_channels_au` AFTER UPDATE OF `display_name`, `description` ON `channels` BEGIN
	UPDATE `search_channels_fts` SET name = new.`display_name`, description = new.`description`
	WHERE rowid = (SELECT r.rowid FROM `search_channel_rows` r WHERE r.`user_id` = new.`user_id`);
	UPDATE `search_videos_fts` SET channel = new.`display_name` || ' ' || coalesce((SELECT u.`handle` FROM `users` u WHERE u.`id` = new.`user_id`), '')
	WHERE old.`display_name` IS NOT new.`display_name`
		AND rowid IN (SELECT r.rowid FROM `search_video_rows` r JOIN `videos` v ON v.`id` = r.`video_id` WHERE v.`owner_id` = new.`user_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_channels_ad` AFTER DELETE ON `channels` BEGIN
	DELETE FROM `search_channels_fts` WHERE rowid = (SELECT r.rowid FROM `search_channel_rows` r WHERE r.`user_id` = old.`user_id`);
	DELETE FROM `search_channel_rows` WHERE `user_id` = old.`user_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `search_users_handle_au` AFTER UPDATE OF `handle` ON `users` BEGIN
	UPDATE `search_channels_fts` SET handle = new.`handle`
	WHERE rowid = (SELECT r.rowid FROM `search_channel_rows` r WHERE r.`user_id` = new.`id`);
	UPDATE `search_videos_fts` SET channel = coalesce((SELECT c.`display_name` FROM `channels` c WHERE c.`user_id` = new.`id`), '') || ' ' || new.`handle`
	WHERE rowid IN (SELECT r.rowid FROM `search_video_rows` r JOIN `videos` v ON v.`id` = r.`video_id` WHERE v.`owner_id` = new.`id`);
END;
--> statement-breakpoint
-- ── what was there before this migration ────────────────────────────────────────────────
INSERT INTO `search_video_rows` (`video_id`) SELECT `id` FROM `videos`;
--> statement-breakpoint
INSERT INTO `search_videos_fts` (rowid, title, tags, channel, description, captions)
SELECT r.rowid, v.`title`,
	coalesce((SELECT group_concat(value, ' ') FROM json_each(v.`tags_json`)), ''),
	coalesce((SELECT c.`display_name` || ' ' || u.`handle` FROM `users` u JOIN `channels` c ON c.`user_id` = u.`id` WHERE u.`id` = v.`owner_id`), ''),
	v.`description`, ''
FROM `search_video_rows` r JOIN `videos` v ON v.`id` = r.`video_id`;
--> statement-breakpoint
INSERT INTO `search_channel_rows` (`user_id`) SELECT `user_id` FROM `channels`;
--> statement-breakpoint
INSERT INTO `search_channels_fts` (rowid, name, handle, description)
SELECT r.rowid, c.`display_name`, u.`handle`, c.`description`
FROM `search_channel_rows` r JOIN `channels` c ON c.`user_id` = r.`user_id` JOIN `users` u ON u.`id` = c.`user_id`;
