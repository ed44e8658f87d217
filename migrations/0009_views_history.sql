CREATE TABLE `video_retention` (
	`video_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`samples` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`video_id`, `bucket`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `video_stats_daily` (
	`video_id` text NOT NULL,
	`day` text NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`watch_sec` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`video_id`, `day`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `watch_history` (
	`user_id` text NOT NULL,
	`video_id` text NOT NULL,
	`position_sec` real DEFAULT 0 NOT NULL,
	`duration_sec` real,
	`watched_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `video_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `watch_history_user_recent_idx` ON `watch_history` (`user_id`,`watched_at`,`video_id`);--> statement-breakpoint
ALTER TABLE `videos` ADD `watch_sec` real DEFAULT 0 NOT NULL;