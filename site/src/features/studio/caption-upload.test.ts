import { describe, expect, it } from "vitest";
import {
  captionContentType,
  checkCaptionFile,
  isValidLang,
  languageName,
  MAX_CAPTION_BYTES,
  normalizeLang,
} from "./caption-upload.ts";

describe("language tags", () => {
  it("normalises what people type into the edge's form", () => {
    expect(normalizeLang(" EN ")).toBe("en");
    expect(normalizeLang("pt_br")).toBe("pt-BR");
    expect(normalizeLang("zh-hant")).toBe("zh-Hant");
    expect(normalizeLang("es-419")).toBe("es-419");
  });

  it("accepts BCP 47-like tags the edge accepts and nothing else", () => {
    for (const ok of ["en", "pt-BR", "zh-Hant", "zh-Hant-TW", "yue", "es-419"])
      expect(isValidLang(ok), ok).toBe(true);
    for (const bad of ["", "e", "english", "EN", "en-", "en_US", "en-US-x-y-z", "../x"])
      expect(isValidLang(bad), bad).toBe(false);
  });

  it("names languages for the default label", () => {
    expect(languageName("en")).toBe("English");
    expect(languageName("pt-BR")).toBe("Brazilian Portuguese");
    expect(languageName("not a tag")).toBe("not a tag");
  });
});

describe("caption files", () => {
  it("declares the content type the edge expects, by extension first", () => {
    expect(captionContentType({ name: "subs.VTT", type: "" })).toBe("text/vtt");
    expect(captionContentType({ name: "subs.srt", type: "application/octet-stream" })).toBe(
      "application/x-subrip",
    );
    expect(captionContentType({ name: "subs", type: "text/vtt" })).toBe("text/vtt");
    expect(captionContentType({ name: "subs.txt", type: "text/plain" })).toBeNull();
  });

  it("refuses the wrong type, empty and oversized files before uploading", () => {
    expect(checkCaptionFile({ name: "a.srt", type: "", size: 120 })).toEqual({
      ok: true,
      contentType: "application/x-subrip",
    });
    expect(checkCaptionFile({ name: "a.ass", type: "", size: 120 })).toMatchObject({ ok: false });
    expect(checkCaptionFile({ name: "a.vtt", type: "", size: 0 })).toMatchObject({ ok: false });
    expect(checkCaptionFile({ name: "a.vtt", type: "", size: MAX_CAPTION_BYTES + 1 })).toEqual({
      ok: false,
      error: "Caption files can be at most 1 MiB.",
    });
  });
});
