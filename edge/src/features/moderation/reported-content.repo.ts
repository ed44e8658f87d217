/**
 * What the moderators' queue shows of each reported target, as it is now: a video's title
 * and description, a comment's text and the video it is on, a channel's name and
 * description, with whose it is. One query per target type for a whole page.
 */
import type { ReportedContent } from "@streamline/contracts";
import { eq, inArray } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { channels, comments, users, videos } from "../../db/schema.ts";
import type { Target } from "./moderation.repo.ts";

export interface ContentView {
  content: ReportedContent;
  ownerId: string | null;
}

const BODY_MAX = 500;
const clip = (s: string) => (s.length > BODY_MAX ? `${s.slice(0, BODY_MAX - 1)}…` : s);
const iso = (ms: number) => new Date(ms).toISOString();
export const GONE: ContentView = {
  content: { gone: true, title: null, body: null, link: null, takenDown: null },
  ownerId: null,
};

const key = (t: Target) => `${t.targetType}:${t.targetId}`;

export class ReportedContentRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /** `video:v_…` / `comment:c_…` / `channel:u_…` → what it is now (absent: gone). */
  async load(targets: Target[]): Promise<Map<string, ContentView>> {
    const ids = (type: Target["targetType"]) =>
      targets.filter((t) => t.targetType === type).map((t) => t.targetId);
    const out = new Map<string, ContentView>();
    for (const v of await this.videos(ids("video"))) out.set(`video:${v.id}`, v.view);
    for (const c of await this.comments(ids("comment"))) out.set(`comment:${c.id}`, c.view);
    for (const c of await this.channels(ids("channel"))) out.set(`channel:${c.id}`, c.view);
    return out;
  }

  static viewOf(map: Map<string, ContentView>, t: Target): ContentView {
    return map.get(key(t)) ?? GONE;
  }

  private async videos(ids: string[]) {
    if (!ids.length) return [];
    const rows = await this.db.select().from(videos).where(inArray(videos.id, ids)).all();
    return rows.map((v) => ({
      id: v.id,
      view: {
        ownerId: v.ownerId,
        content: {
          gone: false,
          title: v.title,
          body: clip(v.description),
          link: `/watch/${v.id}`,
          takenDown: v.takenDownAt ? { at: iso(v.takenDownAt), reason: v.takedownReason ?? "" } : null,
        },
      },
    }));
  }

  private async comments(ids: string[]) {
    if (!ids.length) return [];
    const rows = await this.db
      .select({
        id: comments.id,
        text: comments.text,
        authorId: comments.authorId,
        videoId: comments.videoId,
        title: videos.title,
      })
      .from(comments)
      .innerJoin(videos, eq(videos.id, comments.videoId))
      .where(inArray(comments.id, ids))
      .all();
    return rows.map((c) => ({
      id: c.id,
      view: {
        ownerId: c.authorId,
        content: {
          gone: false,
          title: c.title,
          body: clip(c.text),
          link: `/watch/${c.videoId}`,
          takenDown: null,
        },
      },
    }));
  }

  private async channels(ids: string[]) {
    if (!ids.length) return [];
    const rows = await this.db
      .select({ id: users.id, handle: users.handle, name: channels.displayName, about: channels.description })
      .from(users)
      .innerJoin(channels, eq(channels.userId, users.id))
      .where(inArray(users.id, ids))
      .all();
    return rows.map((c) => ({
      id: c.id,
      view: {
        ownerId: c.id,
        content: { gone: false, title: c.name, body: clip(c.about), link: `/c/${c.handle}`, takenDown: null },
      },
    }));
  }
}
