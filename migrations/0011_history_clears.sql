CREATE TABLE `watch_history_clears` (
	`user_id` text PRIMARY KEY NOT NULL,
	`cleared_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
