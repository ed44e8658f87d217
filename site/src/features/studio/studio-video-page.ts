/**
 * The manage page (`/studio/:id`): edit details (PATCH, the API's validation issues shown
 * beside their fields), caption tracks (list, upload .vtt/.srt, delete), a custom poster
 * (upload, then wait for the resized one to become `thumbnailUrl`) and deletion behind a
 * confirmation dialog. Each part reports in its own live region; focus goes where the
 * person needs it next (the first invalid field, the list after a change). While the video is
 * still uploading or processing, its status line follows the live feed.
 */
import { ApiError, api, type CaptionTrackDto, type VideoDto } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { type ElementType, elementsOf, role } from "../../lib/dom.ts";
import { formatDuration, formatRelativeTime } from "../../lib/format.ts";
import { browserLiveProgressDeps, createLiveProgress, type LiveState } from "../../lib/live-progress.ts";
import { checkCaptionFile, isValidLang, languageName, normalizeLang } from "./caption-upload.ts";
import { checkPosterFile, PosterTimeoutError, posterFile, waitForNewPoster } from "./poster-upload.ts";
import { setStudioFlash } from "./studio-flash.ts";
import {
  type DetailsForm,
  detailsPatch,
  fieldErrors,
  IN_FLIGHT,
  statusView,
  VISIBILITY,
  type Visibility,
} from "./studio-model.ts";

type PageState = "loading" | "ready" | "not-found" | "error" | "deleted";

const messageOf = (err: unknown) =>
  err instanceof ApiError ? err.message : err instanceof Error ? err.message : "Something went wrong.";

export function mountStudioVideoPage(root: HTMLElement): void {
  const videoId = root.dataset.videoId!;
  const find = elementsOf(root, "studio video page");
  const $ = <T extends HTMLElement = HTMLElement>(name: string, type?: ElementType<T>) =>
    find(role(name), type);
  const lifetime = new AbortController();
  window.addEventListener("pagehide", () => lifetime.abort());

  let latest: VideoDto | null = null;

  const setState = (state: PageState) => {
    root.dataset.state = state;
    root.setAttribute("aria-busy", String(state === "loading"));
    $("sections").hidden = state !== "ready";
    $("not-found").hidden = state !== "not-found";
    $("load-error").hidden = state !== "error";
  };

  const setStatus = (el: HTMLElement, text: string, tone: "ok" | "info" = "info") => {
    el.textContent = text;
    el.dataset.tone = tone;
  };

  const showError = (box: HTMLElement, message: string | null) => {
    box.hidden = message === null;
    const text = box.querySelector<HTMLElement>("span[data-role]");
    if (text) text.textContent = message ?? "";
  };

  /** A field's message beside it (and on the input for assistive tech); null clears it. */
  const setFieldError = (form: HTMLFormElement, name: string, message: string | null) => {
    const el = form.querySelector<HTMLElement>(`[data-role="${name}-error"]`);
    if (el) {
      el.textContent = message ?? "";
      el.hidden = !message;
    }
    const control = form.elements.namedItem(name);
    const inputs =
      control instanceof RadioNodeList ? [...control] : control instanceof HTMLElement ? [control] : [];
    for (const input of inputs) {
      if (message) (input as HTMLElement).setAttribute("aria-invalid", "true");
      else (input as HTMLElement).removeAttribute("aria-invalid");
    }
  };

  // ---- the video -----------------------------------------------------------------------------

  const heading = $("heading");
  const meta = $("meta");
  const poster = $("poster", HTMLImageElement);

  const renderVideo = (video: VideoDto, live?: Pick<LiveState, "upload" | "job">) => {
    latest = video;
    heading.textContent = video.title;
    document.title = `${video.title} · Studio · Streamline`;
    const status = statusView(video, live);
    meta.textContent = [
      status.label,
      VISIBILITY[video.visibility].label,
      formatDuration(video.durationSec),
      `Uploaded ${formatRelativeTime(video.createdAt)}`,
    ]
      .filter(Boolean)
      .join(" · ");
    const file = posterFile(video.thumbnailUrl);
    if (video.thumbnailUrl && poster.dataset.file !== file) {
      poster.dataset.file = file ?? "";
      poster.src = video.thumbnailUrl;
    }
    poster.hidden = !video.thumbnailUrl;
  };

  // ---- details -------------------------------------------------------------------------------

  const detailsForm = $("details-form", HTMLFormElement);
  const detailsStatus = $("details-status");
  const saveButton = $("save", HTMLButtonElement);
  const DETAIL_FIELDS = ["title", "description", "visibility"] as const;

  const fillDetails = (video: VideoDto) => {
    (detailsForm.elements.namedItem("title") as HTMLInputElement).value = video.title;
    (detailsForm.elements.namedItem("description") as HTMLTextAreaElement).value = video.description;
    (detailsForm.elements.namedItem("visibility") as RadioNodeList).value = video.visibility;
  };

  const readDetails = (): DetailsForm => {
    const data = new FormData(detailsForm);
    return {
      title: String(data.get("title") ?? ""),
      description: String(data.get("description") ?? ""),
      visibility: String(data.get("visibility") ?? latest?.visibility) as Visibility,
    };
  };

  detailsForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!latest) return;
    for (const f of DETAIL_FIELDS) setFieldError(detailsForm, f, null);
    const patch = detailsPatch(latest, readDetails());
    if (!patch) {
      setStatus(detailsStatus, "No changes to save.");
      return;
    }
    saveButton.disabled = true;
    setStatus(detailsStatus, "Saving…");
    try {
      const saved = await api.updateVideo(videoId, patch);
      renderVideo(saved);
      fillDetails(saved);
      setStatus(detailsStatus, "Saved.", "ok");
    } catch (err) {
      if (err instanceof ApiError && err.code === "validation_failed") {
        const errors = fieldErrors(err.issues, DETAIL_FIELDS);
        for (const f of DETAIL_FIELDS) setFieldError(detailsForm, f, errors[f] ?? null);
        setStatus(detailsStatus, errors[""] ?? "Please fix the highlighted fields.");
        detailsForm.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      } else if (err instanceof ApiError && err.notFound) {
        setState("not-found");
      } else {
        setStatus(detailsStatus, `Not saved: ${messageOf(err)}`);
      }
    } finally {
      saveButton.disabled = false;
    }
  });

  // ---- captions ------------------------------------------------------------------------------

  const captionList = $("caption-list", HTMLUListElement);
  const captionsEmpty = $("captions-empty");
  const captionForm = $("caption-form", HTMLFormElement);
  const captionStatus = $("caption-status");
  const captionError = $("caption-error");
  const captionSubmit = $("caption-submit", HTMLButtonElement);
  const langInput = captionForm.elements.namedItem("lang") as HTMLInputElement;
  const labelInput = captionForm.elements.namedItem("label") as HTMLInputElement;
  const fileInput = captionForm.elements.namedItem("file") as HTMLInputElement;
  const defaultInput = captionForm.elements.namedItem("default") as HTMLInputElement;
  const langHint = $("lang-hint");
  const captionHeading = find("#captions-heading");
  captionHeading.tabIndex = -1;

  const renderCaptions = (tracks: CaptionTrackDto[]) => {
    captionList.replaceChildren(
      ...tracks.map((track) => {
        const li = document.createElement("li");
        li.className = "caption-track";
        li.dataset.testid = "caption-track";
        li.dataset.lang = track.lang;
        li.dataset.default = String(track.default);
        const text = document.createElement("div");
        text.className = "caption-text";
        const name = document.createElement("strong");
        name.textContent = track.label;
        const details = document.createElement("span");
        details.className = "caption-meta";
        details.textContent = `${track.lang} · ${track.cues} ${track.cues === 1 ? "cue" : "cues"}`;
        text.append(name, details);
        if (track.default) {
          const badge = document.createElement("span");
          badge.className = "badge";
          badge.textContent = "Default";
          text.append(badge);
        }
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "button button-danger";
        remove.dataset.testid = "caption-delete";
        remove.textContent = "Delete";
        remove.setAttribute("aria-label", `Delete ${track.label} (${track.lang}) captions`);
        remove.addEventListener("click", () => void deleteTrack(track, remove));
        li.append(text, remove);
        return li;
      }),
    );
    captionsEmpty.hidden = tracks.length > 0;
    captionList.dataset.count = String(tracks.length);
  };

  const reloadCaptions = async () =>
    renderCaptions((await api.listCaptions(videoId, lifetime.signal)).captions);

  const deleteTrack = async (track: CaptionTrackDto, button: HTMLButtonElement) => {
    button.disabled = true;
    showError(captionError, null);
    try {
      await api.deleteCaptions(videoId, track.lang);
      setStatus(captionStatus, `${track.label} captions deleted.`, "ok");
    } catch (err) {
      if (!(err instanceof ApiError && err.notFound)) {
        button.disabled = false;
        showError(captionError, `Couldn't delete ${track.label} captions: ${messageOf(err)}`);
        return;
      }
    }
    await reloadCaptions().catch(() => undefined);
    captionHeading.focus();
  };

  const describeLang = () => {
    const lang = normalizeLang(langInput.value);
    const known = lang && isValidLang(lang) ? languageName(lang) : "";
    langHint.textContent = known && known !== lang ? known : "A language tag such as en or pt-BR.";
    labelInput.placeholder = known || "Shown in the CC menu";
  };
  langInput.addEventListener("input", describeLang);
  langInput.addEventListener("change", () => {
    langInput.value = normalizeLang(langInput.value);
    describeLang();
  });

  captionForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const f of ["file", "lang", "label"]) setFieldError(captionForm, f, null);
    showError(captionError, null);
    setStatus(captionStatus, "");

    const file = fileInput.files?.[0];
    const lang = normalizeLang(langInput.value);
    langInput.value = lang;
    const checked = file ? checkCaptionFile(file) : ({ ok: false, error: "Choose a caption file." } as const);
    if (!checked.ok) setFieldError(captionForm, "file", checked.error);
    if (!isValidLang(lang)) {
      setFieldError(
        captionForm,
        "lang",
        lang ? "Use a language tag such as en, fr or pt-BR." : "Which language are these captions in?",
      );
    }
    const firstInvalid = captionForm.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (firstInvalid || !file || !checked.ok) {
      firstInvalid?.focus();
      return;
    }

    const label = labelInput.value.trim() || languageName(lang);
    captionSubmit.disabled = true;
    setStatus(captionStatus, "Uploading…");
    try {
      const track = await api.putCaptions(
        videoId,
        { lang, label, isDefault: defaultInput.checked },
        file,
        checked.contentType,
      );
      captionForm.reset();
      describeLang();
      setStatus(
        captionStatus,
        `${track.label} captions uploaded (${track.cues} ${track.cues === 1 ? "cue" : "cues"}).`,
        "ok",
      );
      await reloadCaptions().catch(() => renderCaptions([track]));
    } catch (err) {
      setStatus(captionStatus, "");
      if (err instanceof ApiError && err.code === "validation_failed") {
        const errors = fieldErrors(err.issues, ["label", "default"]);
        if (errors.label) setFieldError(captionForm, "label", errors.label);
        // The language is a path segment: its issues come without a field name.
        else setFieldError(captionForm, "lang", errors[""] ?? err.message);
        captionForm.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      } else if (err instanceof ApiError && err.status === 422) {
        showError(captionError, `This file has a problem: ${err.message}`);
      } else if (err instanceof ApiError && err.status === 413) {
        setFieldError(captionForm, "file", "Caption files can be at most 1 MiB.");
        fileInput.focus();
      } else if (err instanceof ApiError && err.status === 415) {
        setFieldError(captionForm, "file", "Choose a WebVTT (.vtt) or SubRip (.srt) file.");
        fileInput.focus();
      } else if (err instanceof ApiError && err.notFound) {
        setState("not-found");
      } else {
        showError(captionError, `Upload failed: ${messageOf(err)}`);
      }
    } finally {
      captionSubmit.disabled = false;
    }
  });

  // ---- poster --------------------------------------------------------------------------------

  const posterForm = $("poster-form", HTMLFormElement);
  const posterInput = posterForm.elements.namedItem("poster") as HTMLInputElement;
  const posterPreview = $("poster-preview", HTMLImageElement);
  const posterSubmit = $("poster-submit", HTMLButtonElement);
  const posterStatus = $("poster-status");
  const posterError = $("poster-error");
  let previewUrl: string | null = null;

  const setPosterState = (state: "idle" | "selected" | "uploading" | "processing" | "done" | "error") => {
    posterForm.dataset.state = state;
    const busy = state === "uploading" || state === "processing";
    posterSubmit.disabled = busy || state !== "selected";
    posterInput.disabled = busy;
  };

  const clearPreview = () => {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = null;
    posterPreview.removeAttribute("src");
    posterPreview.hidden = true;
  };

  posterInput.addEventListener("change", () => {
    showError(posterError, null);
    setStatus(posterStatus, "");
    clearPreview();
    const file = posterInput.files?.[0];
    if (!file) return setPosterState("idle");
    const checked = checkPosterFile(file);
    if (!checked.ok) {
      showError(posterError, checked.error);
      return setPosterState("error");
    }
    previewUrl = URL.createObjectURL(file);
    posterPreview.src = previewUrl;
    posterPreview.hidden = false;
    setPosterState("selected");
  });

  // The name says image, the bytes don't (or the browser can't read it): say so before uploading.
  posterPreview.addEventListener("error", () => {
    if (!previewUrl) return;
    clearPreview();
    showError(
      posterError,
      "That file isn't an image this browser can read. Choose a JPEG, PNG or WebP image.",
    );
    setPosterState("error");
  });

  posterForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = posterInput.files?.[0];
    if (!file || !latest) return;
    const checked = checkPosterFile(file);
    if (!checked.ok) return showError(posterError, checked.error);
    showError(posterError, null);
    const previous = latest.thumbnailUrl;
    setPosterState("uploading");
    setStatus(posterStatus, "Uploading…");
    try {
      await api.putPoster(videoId, file, checked.contentType);
    } catch (err) {
      const message =
        err instanceof ApiError && err.status === 413
          ? "Posters can be at most 10 MiB."
          : err instanceof ApiError && err.status === 415
            ? "That isn't a JPEG, PNG or WebP image."
            : `Upload failed: ${messageOf(err)}`;
      setStatus(posterStatus, "");
      showError(posterError, message);
      setPosterState("error");
      return;
    }
    if (!latest.playable) {
      // thumbnailUrl only exists for streamable videos: nothing to wait for yet.
      setStatus(posterStatus, "Poster uploaded. It shows once the video is ready to stream.", "ok");
      posterForm.reset();
      clearPreview();
      setPosterState("done");
      return;
    }
    setPosterState("processing");
    setStatus(posterStatus, "Resizing your poster…");
    try {
      const fresh = await waitForNewPoster({
        getVideo: (signal) => api.getVideo(videoId, signal),
        previous,
        signal: lifetime.signal,
      });
      renderVideo(fresh);
      setStatus(posterStatus, "Poster updated.", "ok");
      posterForm.reset();
      clearPreview();
      setPosterState("done");
    } catch (err) {
      if (lifetime.signal.aborted) return;
      setStatus(posterStatus, "");
      showError(posterError, err instanceof PosterTimeoutError ? err.message : messageOf(err));
      setPosterState("error");
    }
  });

  // ---- delete --------------------------------------------------------------------------------

  const dialog = $("delete-dialog", HTMLDialogElement);
  const confirmDelete = $("confirm-delete", HTMLButtonElement);
  const deleteError = $("delete-error");

  $("delete").addEventListener("click", () => {
    $("delete-name").textContent = latest?.title ?? "";
    showError(deleteError, null);
    dialog.showModal();
  });

  confirmDelete.addEventListener("click", async () => {
    const title = latest?.title ?? "The video";
    confirmDelete.disabled = true;
    showError(deleteError, null);
    try {
      await api.deleteVideo(videoId);
    } catch (err) {
      if (!(err instanceof ApiError && err.notFound)) {
        confirmDelete.disabled = false;
        showError(deleteError, `Not deleted: ${messageOf(err)}`);
        return;
      }
    }
    setState("deleted");
    setStudioFlash(`“${title}” was deleted.`);
    location.assign("/studio");
  });

  // ---- live status while the video is still uploading or processing ------------------------

  const follow = (video: VideoDto) => {
    if (!IN_FLIGHT.has(video.status)) return;
    const feed = createLiveProgress(videoId, browserLiveProgressDeps(), { initial: video });
    lifetime.signal.addEventListener("abort", () => feed.stop());
    feed.subscribe((state, event) => {
      if (event.type === "gone") return setState("not-found");
      if (!latest) return;
      const base = event.type === "video" ? event.video : latest;
      renderVideo({ ...base, status: state.status ?? base.status, playable: state.playable }, state);
      if (state.terminal) {
        feed.stop();
        // The finished video: duration, poster, and (now that it streams) a thumbnail to replace.
        void api
          .getVideo(videoId, lifetime.signal)
          .then((fresh) => renderVideo(fresh))
          .catch(() => undefined);
      }
    });
    feed.start();
  };

  // ---- load ----------------------------------------------------------------------------------

  const showNotFound = () => {
    heading.textContent = "Video not found";
    setState("not-found");
  };

  const load = async () => {
    setState("loading");
    try {
      const state = await authSession.start();
      if (state.status === "anonymous") return; // the layout sends the visitor to /login
      const [video, captions] = await Promise.all([
        api.getVideo(videoId, lifetime.signal),
        api.listCaptions(videoId, lifetime.signal),
      ]);
      // Someone else's public video: the API would refuse every edit (404), so say so now.
      if (!video.owned) return showNotFound();
      renderVideo(video);
      fillDetails(video);
      renderCaptions(captions.captions);
      setState("ready");
      follow(video);
    } catch (err) {
      if (lifetime.signal.aborted) return;
      if (err instanceof ApiError && err.notFound) return showNotFound();
      $("load-error-message").textContent = `Couldn't load this video: ${messageOf(err)}`;
      setState("error");
    }
  };

  $("retry").addEventListener("click", () => void load());
  void load();
}
