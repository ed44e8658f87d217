-- `npm run search:rebuild`: the search index (migration 0017, ADR 0021) rebuilt from the
-- tables — after restoring a per-table backup, or if the index ever drifted. Idempotent.
DELETE FROM search_videos_fts;
DELETE FROM search_video_rows;
DELETE FROM search_channels_fts;
DELETE FROM search_channel_rows;
-- The listing columns as migration 0022's triggers keep them (listableVideo(), date, views, duration).
INSERT INTO search_video_rows (video_id, listable, published_at, view_count, duration_sec)
SELECT v.id,
	v.visibility = 'public' AND v.status = 'ready' AND v.taken_down_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = v.owner_id AND u.suspended_at IS NOT NULL),
	coalesce(v.published_at, v.created_at), v.view_count, v.duration_sec
FROM videos v;
INSERT INTO search_videos_fts (rowid, title, tags, channel, description, captions)
SELECT r.rowid, v.title,
	coalesce((SELECT group_concat(value, ' ') FROM json_each(v.tags_json)), ''),
	coalesce((SELECT c.display_name || ' ' || u.handle FROM users u JOIN channels c ON c.user_id = u.id WHERE u.id = v.owner_id), ''),
	v.description,
	coalesce((SELECT group_concat(t.text, ' ') FROM caption_texts t WHERE t.video_id = v.id), '')
FROM search_video_rows r JOIN videos v ON v.id = r.video_id;
INSERT INTO search_channel_rows (user_id) SELECT user_id FROM channels;
INSERT INTO search_channels_fts (rowid, name, handle, description)
SELECT r.rowid, c.display_name, u.handle, c.description
FROM search_channel_rows r JOIN channels c ON c.user_id = r.user_id JOIN users u ON u.id = c.user_id;
INSERT INTO search_videos_fts (search_videos_fts) VALUES ('optimize');
INSERT INTO search_channels_fts (search_channels_fts) VALUES ('optimize');
SELECT (SELECT count(*) FROM search_video_rows) AS videos, (SELECT count(*) FROM search_channel_rows) AS channels;
