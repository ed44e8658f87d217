-- Trending keeps a few generations of its ranking (ADR 0022): the key becomes (computed_at, rank),
-- so a cursor can keep paging the generation it started in. Nothing references `trending`, so the
-- rebuild needs no foreign-key pragmas.
CREATE TABLE `__new_trending` (
	`rank` integer NOT NULL,
	`video_id` text NOT NULL,
	`score` real NOT NULL,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`computed_at`, `rank`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_trending`("rank", "video_id", "score", "computed_at") SELECT "rank", "video_id", "score", "computed_at" FROM `trending`;--> statement-breakpoint
DROP TABLE `trending`;--> statement-breakpoint
ALTER TABLE `__new_trending` RENAME TO `trending`;--> statement-breakpoint
CREATE INDEX `trending_video_idx` ON `trending` (`video_id`);