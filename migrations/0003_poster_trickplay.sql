ALTER TABLE `videos` ADD `poster_webp_key` text;--> statement-breakpoint
ALTER TABLE `videos` ADD `poster_attempt_id` text;--> statement-breakpoint
ALTER TABLE `videos` ADD `trickplay_key` text;