ALTER TABLE `channels` ADD `avatar_failure` text;--> statement-breakpoint
ALTER TABLE `channels` ADD `banner_failure` text;--> statement-breakpoint
ALTER TABLE `videos` ADD `view_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `videos_owner_popular_idx` ON `videos` (`owner_id`,`view_count`,`id`);