ALTER TABLE `videos` ADD `download_enabled` integer;--> statement-breakpoint
ALTER TABLE `videos` ADD `downloads_json` text;--> statement-breakpoint
ALTER TABLE `videos` ADD `clip_of` text;--> statement-breakpoint
ALTER TABLE `videos` ADD `clip_start_sec` real;--> statement-breakpoint
ALTER TABLE `videos` ADD `clip_end_sec` real;--> statement-breakpoint
CREATE INDEX `videos_clip_of_idx` ON `videos` (`clip_of`) WHERE "videos"."clip_of" is not null;