CREATE TABLE `notification_presence` (
	`user_id` text PRIMARY KEY NOT NULL,
	`since` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`actor_user_id` text,
	`video_id` text,
	`comment_id` text,
	`created_at` integer NOT NULL,
	`read_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`comment_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notifications_user_page_idx` ON `notifications` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `notifications_user_unread_idx` ON `notifications` (`user_id`,`created_at`,`id`) WHERE "notifications"."read_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_new_video_uq` ON `notifications` (`user_id`,`video_id`) WHERE "notifications"."type" = 'new_video';--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`subscriber_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`subscriber_id`, `channel_id`),
	FOREIGN KEY (`subscriber_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`channel_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `subscriptions_channel_idx` ON `subscriptions` (`channel_id`,`subscriber_id`);--> statement-breakpoint
CREATE INDEX `subscriptions_page_idx` ON `subscriptions` (`subscriber_id`,`created_at`,`channel_id`);--> statement-breakpoint
ALTER TABLE `channels` ADD `subscriber_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `videos_feed_idx` ON `videos` (`owner_id`,`published_at`,`id`) WHERE "videos"."visibility" = 'public' and "videos"."status" = 'ready' and "videos"."published_at" is not null;