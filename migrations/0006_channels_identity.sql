CREATE TABLE `channels` (
	`user_id` text PRIMARY KEY NOT NULL,
	`display_name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`links_json` text DEFAULT '[]' NOT NULL,
	`avatar_key` text,
	`banner_key` text,
	`avatar_attempt_id` text,
	`banner_attempt_id` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `email_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`purpose` text NOT NULL,
	`email` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `email_tokens_user_idx` ON `email_tokens` (`user_id`,`purpose`);--> statement-breakpoint
CREATE TABLE `handle_redirects` (
	`handle` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `user_identities` (
	`provider` text NOT NULL,
	`subject` text NOT NULL,
	`user_id` text NOT NULL,
	`email` text,
	`linked_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`last_used_at` integer,
	PRIMARY KEY(`provider`, `subject`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_identities_user_idx` ON `user_identities` (`user_id`);--> statement-breakpoint
CREATE TABLE `user_preferences` (
	`user_id` text PRIMARY KEY NOT NULL,
	`default_visibility` text DEFAULT 'public' NOT NULL,
	`autoplay` integer DEFAULT true NOT NULL,
	`email_notifications` integer DEFAULT true NOT NULL,
	`theme` text DEFAULT 'system' NOT NULL,
	`history_paused` integer DEFAULT false NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `video_tags` (
	`video_id` text NOT NULL,
	`tag` text NOT NULL,
	PRIMARY KEY(`video_id`, `tag`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `video_tags_tag_idx` ON `video_tags` (`tag`,`video_id`);--> statement-breakpoint
ALTER TABLE `users` ADD `email_verified_at` integer;--> statement-breakpoint
ALTER TABLE `videos` ADD `category` text;--> statement-breakpoint
ALTER TABLE `videos` ADD `tags_json` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `videos` ADD `chapters_json` text;--> statement-breakpoint
ALTER TABLE `videos` ADD `publish_at` integer;--> statement-breakpoint
ALTER TABLE `videos` ADD `published_at` integer;--> statement-breakpoint
CREATE INDEX `videos_publish_at_idx` ON `videos` (`publish_at`);--> statement-breakpoint
-- Backfill (hand-written): every existing user gets a channel named after the handle; public videos count as published when they became ready.
INSERT INTO `channels` (`user_id`, `display_name`, `created_at`, `updated_at`) SELECT `id`, `handle`, `created_at`, `updated_at` FROM `users`;--> statement-breakpoint
UPDATE `videos` SET `published_at` = COALESCE(`ready_at`, `created_at`) WHERE `visibility` = 'public';
