/**
 * Test helper: a complete `VideoDto` as the API sends it — a ready, public 720p clip owned by
 * the viewer — so each test states only the fields it is about.
 */
import type { VideoDto } from "../api.ts";

export function videoDto(patch: Partial<VideoDto> = {}): VideoDto {
  return {
    id: "v_aaaaaaaaaaaaaaaa",
    title: "Clip",
    description: "",
    visibility: "public",
    status: "ready",
    playable: true,
    durationSec: 10,
    width: 1280,
    height: 720,
    renditions: [],
    thumbnailUrl: null,
    trickplayUrl: null,
    createdAt: "2026-11-23T10:00:00.000Z",
    owned: true,
    channel: { handle: "ana", displayName: "Ana", avatarUrl: null },
    viewCount: 0,
    likeCount: 0,
    commentCount: 0,
    commentsMode: "on",
    tags: [],
    category: null,
    publishedAt: "2026-11-23T10:01:00.000Z",
    ...patch,
  };
}
