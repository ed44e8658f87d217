import { describe, expect, it } from "vitest";
import { ApiError, type CreateUploadBody, type UploadStateResponse } from "../../lib/api.ts";
import {
  checkResume,
  contentTypeOf,
  fileKeyOf,
  openUpload,
  type ResumeEntry,
  type ResumeStore,
} from "./upload-session.ts";

function memoryStore(): ResumeStore & { entries: Map<string, ResumeEntry> } {
  const entries = new Map<string, ResumeEntry>();
  return {
    entries,
    get: (key) => entries.get(key) ?? null,
    save: (entry) => void entries.set(entry.fileKey, entry),
    remove: (key) => void entries.delete(key),
  };
}

const file = new File([new Uint8Array(12)], "clip.mkv", { type: "", lastModified: 1_700_000_000_000 });

const uploadState = (over: Partial<UploadStateResponse> = {}): UploadStateResponse => ({
  videoId: "v_0000000000000001",
  status: "uploading",
  size: 12,
  partSize: 5,
  partCount: 3,
  parts: [{ partNumber: 1, etag: '"a"', size: 5 }],
  uploadedBytes: 5,
  expiresAt: new Date().toISOString(),
  ...over,
});

describe("contentTypeOf", () => {
  it("keeps the browser's type and guesses from the extension when it is empty", () => {
    expect(contentTypeOf({ name: "a.mp4", type: "video/mp4" })).toBe("video/mp4");
    expect(contentTypeOf({ name: "a.MKV", type: "" })).toBe("video/x-matroska");
    expect(contentTypeOf({ name: "notes.txt", type: "" })).toBe("application/octet-stream");
  });
});

describe("checkResume", () => {
  it("finds an unfinished upload of the same file", async () => {
    const store = memoryStore();
    store.save({ videoId: "v_0000000000000001", fileKey: fileKeyOf(file), savedAt: "" });
    const result = await checkResume(file, { api: { getUpload: async () => uploadState() }, store });
    expect(result).toMatchObject({ kind: "resumable", state: { videoId: "v_0000000000000001" } });
  });

  it("reports a file that was already submitted", async () => {
    const store = memoryStore();
    store.save({ videoId: "v_0000000000000001", fileKey: fileKeyOf(file), savedAt: "" });
    const result = await checkResume(file, {
      api: { getUpload: async () => uploadState({ status: "processing" }) },
      store,
    });
    expect(result).toEqual({ kind: "submitted", videoId: "v_0000000000000001" });
  });

  it("forgets uploads the edge no longer knows", async () => {
    const store = memoryStore();
    store.save({ videoId: "v_0000000000000001", fileKey: fileKeyOf(file), savedAt: "" });
    const result = await checkResume(file, {
      api: {
        getUpload: async () => {
          throw new ApiError(404, "not_found", "upload not found");
        },
      },
      store,
    });
    expect(result).toEqual({ kind: "none" });
    expect(store.entries.size).toBe(0);
  });

  it("keeps the entry when the service is merely unavailable", async () => {
    const store = memoryStore();
    store.save({ videoId: "v_0000000000000001", fileKey: fileKeyOf(file), savedAt: "" });
    const check = checkResume(file, {
      api: {
        getUpload: async () => {
          throw new ApiError(503, "service_unavailable", "down");
        },
      },
      store,
    });
    await expect(check).rejects.toBeInstanceOf(ApiError);
    expect(store.entries.size).toBe(1);
  });
});

describe("openUpload", () => {
  it("creates a session, remembers it for the file, and sends a guessed content type", async () => {
    const store = memoryStore();
    let sent: CreateUploadBody | undefined;
    const opened = await openUpload(file, {
      store,
      title: "  My clip ",
      api: {
        createUpload: async (body) => {
          sent = body;
          return {
            videoId: "v_0000000000000002",
            partSize: 5,
            partCount: 3,
            parts: [{ partNumber: 1, url: "http://s3.test/a?part=1" }],
            expiresAt: new Date().toISOString(),
          };
        },
      },
    });
    expect(sent).toEqual({
      filename: "clip.mkv",
      size: 12,
      contentType: "video/x-matroska",
      title: "My clip",
    });
    expect(opened.resumed).toBe(false);
    expect(opened.target).toMatchObject({ videoId: "v_0000000000000002", partCount: 3 });
    expect(store.get(fileKeyOf(file))?.videoId).toBe("v_0000000000000002");
  });

  it("resumes from the edge's record of parts", async () => {
    const opened = await openUpload(file, {
      store: memoryStore(),
      api: {
        createUpload: async () => {
          throw new Error("must not create");
        },
      },
      resume: uploadState({ parts: [{ partNumber: 2, etag: '"b"', size: 5 }] }),
    });
    expect(opened.resumed).toBe(true);
    expect([...(opened.target.doneParts ?? [])]).toEqual([2]);
  });
});
