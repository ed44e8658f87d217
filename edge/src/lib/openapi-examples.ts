/** Example values for the OpenAPI document: one consistent world (one user, one video). */
import type { UserDto, VideoDto } from "@streamline/contracts";

export const VIDEO_ID = "v_3fJk2LmN8pQr5sTu";
export const USER_ID = "u_7hGf3DsA1qWe9rTy";
export const SESSION_ID = "s_Kp2Lm9Nb4Vc7Xz1Qa5Sd";
/** A channel image URL's signature (features/channels/channel-images.ts). */
export const IMAGE_SIG = "Xk3Jf9Lm2Qp7Rs5Tv8Wy1z";
export const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ2aWQiOiJ2XzNmSmsyTG1OOHBRcjVzVHUifQ.c2lnbmF0dXJl";

export const USER: UserDto = {
  id: USER_ID,
  email: "ana@example.com",
  handle: "ana",
  createdAt: "2026-11-23T10:00:00.000Z",
  emailVerified: true,
};

export const VIDEO: VideoDto = {
  id: VIDEO_ID,
  title: "Sunrise over the bay",
  description: "",
  visibility: "public",
  status: "ready",
  playable: true,
  durationSec: 30,
  width: 1920,
  height: 1080,
  renditions: [
    {
      name: "720p",
      kind: "video",
      width: 1280,
      height: 720,
      bandwidth: 3_200_000,
      averageBandwidth: 2_800_000,
      codecs: "avc1.64001f,mp4a.40.2",
      frameRate: 30,
      playlist: "720p/index.m3u8",
    },
  ],
  thumbnailUrl: `/v/${VIDEO_ID}/${TOKEN}/poster.jpg`,
  posterSizes: [
    { url: `/v/${VIDEO_ID}/${TOKEN}/poster-320.webp`, width: 320, height: 180 },
    { url: `/v/${VIDEO_ID}/${TOKEN}/poster-640.webp`, width: 640, height: 360 },
    { url: `/v/${VIDEO_ID}/${TOKEN}/poster-1280.webp`, width: 1280, height: 720 },
  ],
  trickplayUrl: `/v/${VIDEO_ID}/${TOKEN}/trickplay/sprites.vtt`,
  playback: { hls: `/v/${VIDEO_ID}/${TOKEN}/master.m3u8`, expiresAt: "2026-11-23T14:00:00.000Z" },
  createdAt: "2026-11-23T10:05:00.000Z",
  owned: false,
  channel: {
    handle: "ana",
    displayName: "Ana Lima",
    avatarUrl: `/i/${IMAGE_SIG}/channels/${USER_ID}/avatar/a_Qw3Er5Ty7Ui9Op1As2Df/88.jpg`,
  },
  viewCount: 1280,
  tags: ["sunrise", "timelapse"],
  category: "travel",
  publishedAt: "2026-11-23T10:06:00.000Z",
  chapters: [
    { startSec: 0, title: "Night" },
    { startSec: 12, title: "First light" },
  ],
  likeCount: 42,
  commentCount: 7,
  commentsMode: "on",
  myReaction: "like",
};
