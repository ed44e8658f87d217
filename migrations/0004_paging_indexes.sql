DROP INDEX `videos_owner_idx`;--> statement-breakpoint
DROP INDEX `videos_public_idx`;--> statement-breakpoint
CREATE INDEX `videos_owner_page_idx` ON `videos` (`owner_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `videos_public_page_idx` ON `videos` (`visibility`,`status`,`created_at`,`id`);