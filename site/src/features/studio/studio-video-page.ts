/**
 * The studio video page (`/studio/:id`): edit details (PATCH, the API's validation issues shown
 * beside their fields), caption tracks (list, upload .vtt/.srt, delete), a custom poster
 * (upload, then wait for the resized one to become `thumbnailUrl`) and deletion behind a
 * confirmation dialog — one module each under `video-editor/`. Each part reports in its own
 * live region; focus goes where the person needs it next (the first invalid field, the list
 * after a change). While the video is still uploading or processing, its status line follows
 * the live feed.
 */
import { ApiError, api, type VideoDto } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { formatDuration, formatRelativeTime } from "../../lib/format.ts";
import { browserLiveProgressDeps, createLiveProgress, type LiveState } from "../../lib/live-progress.ts";
import { posterFile } from "./poster-upload.ts";
import { IN_FLIGHT, statusView, VISIBILITY } from "./studio-model.ts";
import { mountCaptionsSection } from "./video-editor/captions-section.ts";
import { mountDeleteDialog } from "./video-editor/delete-dialog.ts";
import { mountDetailsForm } from "./video-editor/details-form.ts";
import { mountDownloadSection } from "./video-editor/download-section.ts";
import {
  createEditorContext,
  type EditorContext,
  type EditorPageState,
  messageOf,
} from "./video-editor/editor-context.ts";
import { mountEmbedSection } from "./video-editor/embed-section.ts";
import { mountPosterSection } from "./video-editor/poster-section.ts";

/** The header: title, status · visibility · duration · age, and the poster (swapped only when its file changes). */
function videoHeader(ctx: Pick<EditorContext, "part">) {
  const heading = ctx.part("heading");
  const meta = ctx.part("meta");
  const poster = ctx.part("poster", HTMLImageElement);
  return {
    heading,
    render(video: VideoDto, live?: Pick<LiveState, "upload" | "job">) {
      heading.textContent = video.title;
      document.title = `${video.title} · Studio · Streamline`;
      const status = statusView(video, live);
      meta.textContent = [
        status.label,
        VISIBILITY[video.visibility].label,
        formatDuration(video.durationSec),
        `Uploaded ${formatRelativeTime(video.createdAt)}`,
        video.publishAt ? `Publishes ${new Date(video.publishAt).toLocaleString()}` : "",
      ]
        .filter(Boolean)
        .join(" · ");
      const file = posterFile(video.thumbnailUrl);
      if (video.thumbnailUrl && poster.dataset.file !== file) {
        poster.dataset.file = file ?? "";
        poster.src = video.thumbnailUrl;
      }
      poster.hidden = !video.thumbnailUrl;
    },
  };
}

/** While the video is still uploading or processing, the header's status follows the live feed. */
function followLive(
  ctx: EditorContext,
  video: VideoDto,
  render: (v: VideoDto, live?: LiveState) => void,
): void {
  if (!IN_FLIGHT.has(video.status)) return;
  const feed = createLiveProgress(ctx.videoId, browserLiveProgressDeps(), { initial: video });
  ctx.lifetime.addEventListener("abort", () => feed.stop());
  feed.subscribe((state, event) => {
    if (event.type === "gone") return ctx.setState("not-found");
    const latest = ctx.latest();
    if (!latest) return;
    const base = event.type === "video" ? event.video : latest;
    render({ ...base, status: state.status ?? base.status, playable: state.playable }, state);
    if (state.terminal) {
      feed.stop();
      // The finished video: duration, poster, and (now that it streams) a thumbnail to replace.
      void api
        .getVideo(ctx.videoId, ctx.lifetime)
        .then((fresh) => render(fresh))
        .catch(() => undefined);
    }
  });
  feed.start();
}

export function mountStudioVideoPage(root: HTMLElement): void {
  const lifetime = new AbortController();
  window.addEventListener("pagehide", () => lifetime.abort());
  let latest: VideoDto | null = null;
  const setState = (state: EditorPageState) => {
    root.dataset.state = state;
    root.setAttribute("aria-busy", String(state === "loading"));
    ctx.part("sections").hidden = state !== "ready";
    ctx.part("not-found").hidden = state !== "not-found";
    ctx.part("load-error").hidden = state !== "error";
  };
  const renderVideo = (video: VideoDto, live?: LiveState) => {
    latest = video;
    header.render(video, live);
  };
  const ctx = createEditorContext(root, { latest: () => latest, renderVideo, setState }, lifetime.signal);
  const header = videoHeader(ctx);
  const details = mountDetailsForm(ctx);
  const embed = mountEmbedSection(ctx);
  const downloads = mountDownloadSection(ctx);
  const captions = mountCaptionsSection(ctx);
  mountPosterSection(ctx);
  mountDeleteDialog(ctx);

  const showNotFound = () => {
    header.heading.textContent = "Video not found";
    setState("not-found");
  };
  const load = async () => {
    setState("loading");
    try {
      const session = await authSession.start();
      if (session.status === "anonymous") return; // the layout sends the visitor to /login
      const [video, list] = await Promise.all([
        api.getVideo(ctx.videoId, lifetime.signal),
        api.listCaptions(ctx.videoId, lifetime.signal),
      ]);
      // Someone else's public video: the API would refuse every edit (404), so say so now.
      if (!video.owned) return showNotFound();
      renderVideo(video);
      details.fill(video);
      embed.fill(video);
      downloads.fill(video);
      captions.render(list.captions);
      setState("ready");
      followLive(ctx, video, renderVideo);
    } catch (err) {
      if (lifetime.signal.aborted) return;
      if (err instanceof ApiError && err.notFound) return showNotFound();
      ctx.part("load-error-message").textContent = `Couldn't load this video: ${messageOf(err)}`;
      setState("error");
    }
  };

  ctx.part("retry", HTMLButtonElement).addEventListener("click", () => void load());
  void load();
}
