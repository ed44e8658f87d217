/** Reactions to videos: only to videos the caller may see (404 otherwise), dislikes shown to the owner only. */
import type { ReactionBody, ReactionResponse } from "@streamline/contracts";
import { notFound } from "../../lib/errors.ts";
import type { Services } from "../../lib/services.ts";
import { canView, isOwner } from "../videos/video-access.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { ReactionsRepo } from "./reactions.repo.ts";

export class ReactionsService {
  private readonly videos: Pick<VideosRepo, "find">;
  private readonly repo: ReactionsRepo;
  constructor(videos: Pick<VideosRepo, "find">, repo: ReactionsRepo) {
    this.videos = videos;
    this.repo = repo;
  }

  static from(services: Services): ReactionsService {
    return new ReactionsService(new VideosRepo(services.db), new ReactionsRepo(services.db));
  }

  async react(videoId: string, userId: string, value: ReactionBody["value"]): Promise<ReactionResponse> {
    const video = await this.videos.find(videoId);
    if (!video || !canView(video, userId)) throw notFound();
    const myReaction = value === "none" ? null : value;
    const counts = await this.repo.set(video.id, userId, myReaction);
    if (!counts) throw notFound();
    return {
      likeCount: counts.likeCount,
      ...(isOwner(video, userId) ? { dislikeCount: counts.dislikeCount } : {}),
      myReaction,
    };
  }
}
