/**
 * "Up next" for one video and one caller (ADR 0022): the source must be visible to the
 * caller (else the same 404 as an unknown id); the answer lists only listable videos,
 * never the source, never what the signed-in caller already finished.
 */
import type { RelatedResponse } from "@streamline/contracts";
import type { Services } from "../../lib/services.ts";
import { metadataFields } from "../videos/video-dto.ts";
import { videoDtos } from "../videos/video-list.ts";
import { VideosService } from "../videos/videos.service.ts";
import { RelatedRepo } from "./related.repo.ts";
import { rankRelated } from "./related-score.ts";

export class RelatedService {
  private readonly services: Services;
  private readonly repo: RelatedRepo;
  private readonly now: () => number;
  constructor(services: Services, now: () => number = Date.now) {
    this.services = services;
    this.repo = new RelatedRepo(services.db);
    this.now = now;
  }

  async related(videoId: string, userId: string | null | undefined, limit: number): Promise<RelatedResponse> {
    const video = await VideosService.from(this.services).findVisible(videoId, userId);
    const source = {
      id: video.id,
      ownerId: video.ownerId,
      category: video.category,
      tags: metadataFields(video, false).tags,
    };
    const candidates = await this.repo.candidates(source, userId ?? null);
    const ids = rankRelated(source, candidates, limit, this.now());
    return { videos: await videoDtos(this.services, await this.repo.rows(ids), userId) };
  }
}
