CREATE TABLE `trending` (
	`rank` integer PRIMARY KEY NOT NULL,
	`video_id` text NOT NULL,
	`score` real NOT NULL,
	`computed_at` integer NOT NULL,
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `trending_video_idx` ON `trending` (`video_id`);--> statement-breakpoint
CREATE TABLE `video_stats_hourly` (
	`video_id` text NOT NULL,
	`hour` integer NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`video_id`, `hour`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `video_stats_hourly_hour_idx` ON `video_stats_hourly` (`hour`,`video_id`,`views`);--> statement-breakpoint
CREATE INDEX `comments_recent_idx` ON `comments` (`created_at`,`video_id`,`author_id`);--> statement-breakpoint
CREATE INDEX `video_reactions_likes_recent_idx` ON `video_reactions` (`created_at`,`video_id`) WHERE "video_reactions"."value" = 'like';--> statement-breakpoint
CREATE INDEX `videos_category_idx` ON `videos` (`category`,`published_at`,`id`) WHERE "videos"."visibility" = 'public' and "videos"."status" = 'ready' and "videos"."published_at" is not null;--> statement-breakpoint
CREATE INDEX `watch_history_video_recent_idx` ON `watch_history` (`video_id`,`watched_at`);