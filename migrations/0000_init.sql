CREATE TABLE `upload_parts` (
	`video_id` text NOT NULL,
	`part_number` integer NOT NULL,
	`etag` text NOT NULL,
	`size` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	PRIMARY KEY(`video_id`, `part_number`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `videos` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`visibility` text DEFAULT 'public' NOT NULL,
	`status` text NOT NULL,
	`playable` integer DEFAULT false NOT NULL,
	`failure_reason` text,
	`filename` text NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`part_size` integer NOT NULL,
	`part_count` integer NOT NULL,
	`upload_id` text,
	`upload_expires_at` integer NOT NULL,
	`job_id` text,
	`attempt` integer DEFAULT 0 NOT NULL,
	`attempt_id` text,
	`last_event_seq` integer DEFAULT -1 NOT NULL,
	`heartbeat_at` integer,
	`progress_json` text,
	`duration_sec` real,
	`width` integer,
	`height` integer,
	`probe_json` text,
	`renditions_json` text DEFAULT '[]' NOT NULL,
	`master_key` text,
	`poster_key` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`queued_at` integer,
	`ready_at` integer
);
--> statement-breakpoint
CREATE INDEX `videos_status_idx` ON `videos` (`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `videos_owner_idx` ON `videos` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `videos_public_idx` ON `videos` (`visibility`,`status`,`created_at`);