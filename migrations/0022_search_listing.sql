-- Search's listing columns (issue 15, ADR 0021 "Listing columns"). Hand-written beside the
-- generated migrations, like 0017: the FTS mapping table is not in schema.ts.
--
-- A search used to join every FTS match to `videos` (text key → row) and `users` (the
-- suspension check) before it could rank, filter and page: four B-tree descents per match,
-- 3,000–15,000 matches for a common word or a short prefix on 100,000 videos. The mapping
-- table now carries what the match query needs — whether the video may be listed
-- (listableVideo(): public, ready, not taken down, owner not suspended), its date
-- (coalesce(published_at, created_at)), views and duration — so a match costs one integer-key
-- lookup. The triggers below keep the columns in step with `videos` and `users` in the same
-- statement that changes them, whoever writes (the API, the cron, the fleet, `npm run admin`).
ALTER TABLE `search_video_rows` ADD `listable` integer NOT NULL DEFAULT 0;
--> statement-breakpoint
ALTER TABLE `search_video_rows` ADD `published_at` integer NOT NULL DEFAULT 0;
--> statement-breakpoint
ALTER TABLE `search_video_rows` ADD `view_count` integer NOT NULL DEFAULT 0;
--> statement-breakpoint
ALTER TABLE `search_video_rows` ADD `duration_sec` real;
--> statement-breakpoint
UPDATE `search_video_rows` SET (`listable`, `published_at`, `view_count`, `duration_sec`) = (
	SELECT v.`visibility` = 'public' AND v.`status` = 'ready' AND v.`taken_down_at` IS NULL
		AND NOT EXISTS (SELECT 1 FROM `users` u WHERE u.`id` = v.`owner_id` AND u.`suspended_at` IS NOT NULL),
		coalesce(v.`published_at`, v.`created_at`), v.`view_count`, v.`duration_sec`
	FROM `videos` v WHERE v.`id` = `search_video_rows`.`video_id`);
--> statement-breakpoint
DROP TRIGGER `search_videos_ai`;
--> statement-breakpoint
CREATE TRIGGER `search_videos_ai` AFTER INSERT ON `videos` BEGIN
	INSERT INTO `search_video_rows` (`video_id`, `listable`, `published_at`, `view_count`, `duration_sec`)
	VALUES (new.`id`,
		new.`visibility` = 'public' AND new.`status` = 'ready' AND new.`taken_down_at` IS NULL
			AND NOT EXISTS (SELECT 1 FROM `users` u WHERE u.`id` = new.`owner_id` AND u.`suspended_at` IS NOT NULL),
		coalesce(new.`published_at`, new.`created_at`), new.`view_count`, new.`duration_sec`);
	INSERT INTO `search_videos_fts` (rowid, title, tags, channel, description, captions)
	SELECT r.rowid, new.`title`,
		coalesce((SELECT group_concat(value, ' ') FROM json_each(new.`tags_json`)), ''),
		coalesce((SELECT c.`display_name` || ' ' || u.`handle` FROM `users` u JOIN `channels` c ON c.`user_id` = u.`id` WHERE u.`id` = new.`owner_id`), ''),
		new.`description`, ''
	FROM `search_video_rows` r WHERE r.`video_id` = new.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `search_videos_listing_au` AFTER UPDATE OF `visibility`, `status`, `taken_down_at`, `published_at`, `created_at`, `view_count`, `duration_sec`, `owner_id` ON `videos` BEGIN
	UPDATE `search_video_rows` SET
		`listable` = new.`visibility` = 'public' AND new.`status` = 'ready' AND new.`taken_down_at` IS NULL
			AND NOT EXISTS (SELECT 1 FROM `users` u WHERE u.`id` = new.`owner_id` AND u.`suspended_at` IS NOT NULL),
		`published_at` = coalesce(new.`published_at`, new.`created_at`),
		`view_count` = new.`view_count`,
		`duration_sec` = new.`duration_sec`
	WHERE `video_id` = new.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `search_users_suspended_au` AFTER UPDATE OF `suspended_at` ON `users`
WHEN (old.`suspended_at` IS NULL) <> (new.`suspended_at` IS NULL) BEGIN
	UPDATE `search_video_rows` SET `listable` = (
		SELECT v.`visibility` = 'public' AND v.`status` = 'ready' AND v.`taken_down_at` IS NULL AND new.`suspended_at` IS NULL
		FROM `videos` v WHERE v.`id` = `search_video_rows`.`video_id`)
	WHERE `video_id` IN (SELECT v.`id` FROM `videos` v WHERE v.`owner_id` = new.`id`);
END;
