ALTER TABLE `users` ADD `suspended_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `suspend_reason` text;--> statement-breakpoint
ALTER TABLE `videos` ADD `embed_allowed` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `videos` ADD `embed_origins_json` text;--> statement-breakpoint
ALTER TABLE `videos` ADD `taken_down_at` integer;--> statement-breakpoint
ALTER TABLE `videos` ADD `takedown_reason` text;