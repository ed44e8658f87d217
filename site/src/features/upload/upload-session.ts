/**
 * Opens an upload for a picked file: resumes the edge's session for the same file when one
 * is remembered (only the parts the edge has not recorded are sent again), or creates a new
 * one. Which file maps to which video is remembered in localStorage by name+size+mtime.
 */
import { type ApiClient, ApiError, type CreateUploadBody, type UploadStateResponse } from "../../lib/api.ts";
import type { UploadTarget } from "./multipart-upload.ts";

export interface ResumeEntry {
  videoId: string;
  fileKey: string;
  savedAt: string;
}

export interface ResumeStore {
  get(fileKey: string): ResumeEntry | null;
  save(entry: ResumeEntry): void;
  remove(fileKey: string): void;
}

const STORAGE_PREFIX = "streamline:upload:";

/** localStorage-backed; storage failures (private mode, quota) only cost the ability to resume. */
export function localResumeStore(storage: Storage | undefined = globalThis.localStorage): ResumeStore {
  return {
    get(fileKey) {
      try {
        const raw = storage?.getItem(STORAGE_PREFIX + fileKey);
        const entry = raw ? (JSON.parse(raw) as Partial<ResumeEntry>) : null;
        return entry && typeof entry.videoId === "string" && entry.fileKey === fileKey
          ? (entry as ResumeEntry)
          : null;
      } catch {
        return null;
      }
    },
    save(entry) {
      try {
        storage?.setItem(STORAGE_PREFIX + entry.fileKey, JSON.stringify(entry));
      } catch {
        // Resume is a convenience; the upload itself still works.
      }
    },
    remove(fileKey) {
      try {
        storage?.removeItem(STORAGE_PREFIX + fileKey);
      } catch {
        // See save().
      }
    },
  };
}

export function fileKeyOf(file: Pick<File, "name" | "size" | "lastModified">): string {
  return `${file.name}:${file.size}:${file.lastModified}`;
}

const CONTENT_TYPES_BY_EXTENSION: Record<string, string> = {
  mp4: "video/mp4",
  m4v: "video/x-m4v",
  mov: "video/quicktime",
  mkv: "video/x-matroska",
  webm: "video/webm",
  avi: "video/x-msvideo",
  wmv: "video/x-ms-wmv",
  flv: "video/x-flv",
  mpg: "video/mpeg",
  mpeg: "video/mpeg",
  ts: "video/mp2t",
  "3gp": "video/3gpp",
  ogv: "video/ogg",
};

/** Browsers leave `File.type` empty for types the OS doesn't know (often .mkv); guess from the name. */
export function contentTypeOf(file: Pick<File, "name" | "type">): string {
  if (file.type) return file.type;
  const extension = file.name.split(".").pop()?.toLowerCase() ?? "";
  return CONTENT_TYPES_BY_EXTENSION[extension] ?? "application/octet-stream";
}

export type ResumeCheck =
  /** An unfinished upload of this file: continue it. */
  | { kind: "resumable"; state: UploadStateResponse }
  /** This file was already uploaded and handed to the transcoder. */
  | { kind: "submitted"; videoId: string }
  | { kind: "none" };

/** What the edge knows about a remembered upload of `file`; forgets entries the edge no longer has. */
export async function checkResume(
  file: File,
  deps: { api: Pick<ApiClient, "getUpload">; store: ResumeStore; signal?: AbortSignal },
): Promise<ResumeCheck> {
  const fileKey = fileKeyOf(file);
  const saved = deps.store.get(fileKey);
  if (!saved) return { kind: "none" };
  try {
    const state = await deps.api.getUpload(saved.videoId, deps.signal);
    if (state.status === "uploading" && state.size === file.size) return { kind: "resumable", state };
    if (state.status !== "uploading" && state.status !== "failed") {
      return { kind: "submitted", videoId: state.videoId };
    }
  } catch (err) {
    // Gone (expired, aborted, or belongs to someone else): start over. Anything else is a real error.
    const gone = err instanceof ApiError && (err.notFound || err.status === 403 || err.status === 410);
    if (!gone) throw err;
  }
  deps.store.remove(fileKey);
  return { kind: "none" };
}

export interface OpenedUpload {
  target: UploadTarget;
  resumed: boolean;
  fileKey: string;
}

/** Resume `resume` when given, else create a new upload session and remember it for this file. */
export type UploadMetadata = Omit<CreateUploadBody, "filename" | "size" | "contentType" | "title">;

export async function openUpload(
  file: File,
  deps: {
    api: Pick<ApiClient, "createUpload">;
    store: ResumeStore;
    title?: string | undefined;
    /** Description, tags, category, visibility, schedule: sent with the creation. */
    metadata?: UploadMetadata | undefined;
    resume?: UploadStateResponse | undefined;
    signal?: AbortSignal;
  },
): Promise<OpenedUpload> {
  const fileKey = fileKeyOf(file);
  const { resume } = deps;
  if (resume) {
    return {
      fileKey,
      resumed: true,
      target: {
        videoId: resume.videoId,
        file,
        partSize: resume.partSize,
        partCount: resume.partCount,
        doneParts: resume.parts.map((p) => p.partNumber),
      },
    };
  }
  const title = deps.title?.trim();
  const created = await deps.api.createUpload(
    {
      filename: file.name,
      size: file.size,
      contentType: contentTypeOf(file),
      ...(title ? { title } : {}),
      ...deps.metadata,
    },
    deps.signal,
  );
  deps.store.save({ videoId: created.videoId, fileKey, savedAt: new Date().toISOString() });
  return {
    fileKey,
    resumed: false,
    target: {
      videoId: created.videoId,
      file,
      partSize: created.partSize,
      partCount: created.partCount,
      urls: created.parts,
      urlsExpireAt: created.expiresAt,
    },
  };
}
