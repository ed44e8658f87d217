CREATE TABLE `analytics_rollups` (
	`name` text PRIMARY KEY NOT NULL,
	`through_day` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `channel_stats_daily` (
	`channel_id` text NOT NULL,
	`day` text NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`watch_sec` real DEFAULT 0 NOT NULL,
	`likes` integer DEFAULT 0 NOT NULL,
	`comments` integer DEFAULT 0 NOT NULL,
	`subs_gained` integer DEFAULT 0 NOT NULL,
	`subs_lost` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`channel_id`, `day`),
	FOREIGN KEY (`channel_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `channel_stats_daily_day_idx` ON `channel_stats_daily` (`day`);--> statement-breakpoint
CREATE TABLE `channel_traffic_daily` (
	`channel_id` text NOT NULL,
	`day` text NOT NULL,
	`dim` text NOT NULL,
	`key` text NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`watch_sec` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`channel_id`, `day`, `dim`, `key`),
	FOREIGN KEY (`channel_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `channel_traffic_daily_day_idx` ON `channel_traffic_daily` (`day`);--> statement-breakpoint
CREATE TABLE `subscription_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel_id` text NOT NULL,
	`delta` integer NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`channel_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `subscription_events_at_idx` ON `subscription_events` (`at`,`channel_id`);--> statement-breakpoint
CREATE TABLE `video_engagement_daily` (
	`video_id` text NOT NULL,
	`day` text NOT NULL,
	`likes` integer DEFAULT 0 NOT NULL,
	`comments` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`video_id`, `day`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `video_engagement_daily_day_idx` ON `video_engagement_daily` (`day`);--> statement-breakpoint
CREATE TABLE `video_traffic_daily` (
	`video_id` text NOT NULL,
	`day` text NOT NULL,
	`dim` text NOT NULL,
	`key` text NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`watch_sec` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`video_id`, `day`, `dim`, `key`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `video_traffic_daily_day_idx` ON `video_traffic_daily` (`day`);--> statement-breakpoint
CREATE INDEX `video_stats_daily_day_idx` ON `video_stats_daily` (`day`);