CREATE TABLE `dead_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`queue` text NOT NULL,
	`job_type` text NOT NULL,
	`job_id` text NOT NULL,
	`subject` text NOT NULL,
	`attempt` integer NOT NULL,
	`attempt_id` text NOT NULL,
	`request_id` text,
	`job_json` text NOT NULL,
	`deliveries` integer NOT NULL,
	`reason` text NOT NULL,
	`dead_at` integer NOT NULL,
	`retried_at` integer,
	`retried_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dead_jobs_attempt_uq` ON `dead_jobs` (`attempt_id`,`job_type`);--> statement-breakpoint
CREATE INDEX `dead_jobs_open_idx` ON `dead_jobs` (`retried_at`,`dead_at`);