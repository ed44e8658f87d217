-- The channel report reads the running totals from this index alone (ADR 0023).
CREATE INDEX `video_stats_cumulative_cover_idx` ON `video_stats_cumulative` (`video_id`,`day`,`views`,`watch_sec`);