/**
 * Search (issue 15, ADR 0021): the caller's words → FTS5 matches over listable videos and
 * channels, ranked by bm25 (or date / views), filtered, keyset-paged, with the matched words
 * marked as ranges. Channels whose name or handle match go on top of the first page.
 */
import {
  type ChannelSearchHit,
  DURATION_BOUNDS,
  SEARCH_TOP_CHANNELS,
  type SearchQuery,
  type SearchResponse,
  UPLOADED_WINDOW_MS,
  type VideoSearchHit,
} from "@streamline/contracts";
import type { Services } from "../../lib/services.ts";
import { imageUrl } from "../channels/channel-images.ts";
import { channelRefs } from "../channels/channel-refs.ts";
import { toVideoDto } from "../videos/video-dto.ts";
import { parseHighlighted, snippetOrNull } from "./highlight.ts";
import { SearchRepo } from "./search.repo.ts";
import { decodeCursor, encodeCursor } from "./search-cursor.ts";
import { matchExpression } from "./search-query.ts";
import { type ChannelMatch, sortValue, type VideoFilters } from "./search-sql.ts";

/** The avatar beside a channel result (2× a 44 px avatar), as videos show their channel. */
const AVATAR_FILE = "88.jpg";
const EMPTY: SearchResponse = { videos: [], channels: [], nextCursor: null };

export class SearchService {
  private readonly services: Pick<Services, "db" | "config">;
  private readonly repo: SearchRepo;
  private readonly now: () => number;

  constructor(services: Pick<Services, "db" | "config">, now: () => number = Date.now) {
    this.services = services;
    this.repo = new SearchRepo(services.db);
    this.now = now;
  }

  async search(q: SearchQuery, userId: string | null | undefined): Promise<SearchResponse> {
    if (q.type === "channel") return this.channelsPage(q);
    const match = matchExpression(q.q);
    if (!match) return EMPTY;
    const [page, channels] = await Promise.all([
      this.videosPage(match, q, userId),
      this.channelsOnTop(q) ? this.topChannels(q.q) : [],
    ]);
    return { ...page, channels };
  }

  /** Channels go on top of a plain first page: no type, no filters, relevance. */
  private channelsOnTop(q: SearchQuery): boolean {
    return !q.type && !q.cursor && !q.duration && !q.uploaded && q.sort === "relevance";
  }

  private filters(q: SearchQuery): VideoFilters {
    const bounds = q.duration ? DURATION_BOUNDS[q.duration] : {};
    return {
      ...bounds,
      ...(q.uploaded ? { since: this.now() - UPLOADED_WINDOW_MS[q.uploaded] } : {}),
    };
  }

  private async videosPage(match: string, q: SearchQuery, userId: string | null | undefined) {
    const after = decodeCursor(q.cursor, q.sort);
    const found = await this.repo.matchVideos(match, {
      sort: q.sort,
      filters: this.filters(q),
      limit: q.limit + 1,
      after,
    });
    const page = found.slice(0, q.limit);
    const last = found.length > q.limit ? page.at(-1) : undefined;
    const [marked, rows] = await this.repo.pageOf(
      match,
      page.map((m) => m.rid),
      page.map((m) => m.id),
    );
    const refs = await channelRefs(
      this.services,
      rows.map((r) => r.ownerId),
    );
    const rowById = new Map(rows.map((r) => [r.id, r]));
    const markedByRid = new Map(marked.map((h) => [h.rid, h]));
    const videos = await Promise.all(
      page.flatMap((m) => {
        const row = rowById.get(m.id);
        if (!row) return []; // deleted between the two statements
        const h = markedByRid.get(m.rid);
        return this.videoHit(row, h, userId, (row.ownerId && refs.get(row.ownerId)) || null);
      }),
    );
    return {
      videos,
      nextCursor: last ? encodeCursor({ s: q.sort, v: sortValue(q.sort, last), id: last.id }) : null,
    };
  }

  private async videoHit(
    row: Parameters<typeof toVideoDto>[1],
    h: { title: string; description: string; captions: string } | undefined,
    userId: string | null | undefined,
    channel: Parameters<typeof toVideoDto>[3],
  ): Promise<VideoSearchHit> {
    const dto = await toVideoDto(this.services, row, userId, channel);
    return {
      ...dto,
      highlight: {
        title: h ? parseHighlighted(h.title) : { text: row.title, ranges: [] },
        description: snippetOrNull(h?.description),
        captions: snippetOrNull(h?.captions),
      },
    };
  }

  private async topChannels(text: string): Promise<ChannelSearchHit[]> {
    const match = matchExpression(text, ["name", "handle"]);
    if (!match) return [];
    return Promise.all(
      (await this.repo.matchChannels(match, SEARCH_TOP_CHANNELS)).map((c) => this.channelHit(c)),
    );
  }

  private async channelsPage(q: SearchQuery): Promise<SearchResponse> {
    const match = matchExpression(q.q);
    if (!match) return EMPTY;
    const after = decodeCursor(q.cursor, "channels");
    const found = await this.repo.matchChannels(match, q.limit + 1, after);
    const page = found.slice(0, q.limit);
    const last = found.length > q.limit ? page.at(-1) : undefined;
    return {
      videos: [],
      channels: await Promise.all(page.map((c) => this.channelHit(c))),
      nextCursor: last ? encodeCursor({ s: "channels", v: last.score, id: last.userId }) : null,
    };
  }

  private async channelHit(c: ChannelMatch): Promise<ChannelSearchHit> {
    const secret = this.services.config.DELIVERY_SECRET;
    return {
      handle: c.handle,
      displayName: c.displayName,
      description: c.description,
      avatarUrl: c.avatarKey ? await imageUrl(secret, c.avatarKey + AVATAR_FILE) : null,
      subscriberCount: c.subscriberCount,
      videoCount: Number(c.videoCount),
      highlight: { displayName: parseHighlighted(c.name), handle: parseHighlighted(c.handleMarked) },
    };
  }
}
