/**
 * Checks a caption file and its language before it is sent (`PUT /api/videos/:id/captions/:lang`):
 * which content type to declare, the 1 MiB cap, and a BCP 47 tag in the edge's accepted form.
 * The edge validates the cues themselves and answers 422 `invalid_captions` naming the bad one.
 */

export const MAX_CAPTION_BYTES = 1024 * 1024;
export const CAPTION_ACCEPT = ".vtt,.srt,text/vtt,application/x-subrip";

/** The edge's rule: "en", "pt-BR", "zh-Hant" (a 2–3 letter language, up to two subtags). */
export const LANG_PATTERN = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/;

export type CaptionContentType = "text/vtt" | "application/x-subrip";

/** Writes a tag the way people mean it: `EN` → `en`, `pt_br` → `pt-BR`, `zh-hant` → `zh-Hant`. */
export function normalizeLang(input: string): string {
  const [language = "", ...subtags] = input.trim().replace(/_/g, "-").split("-");
  return [
    language.toLowerCase(),
    ...subtags.map((tag) => {
      if (/^[A-Za-z]{2}$/.test(tag)) return tag.toUpperCase(); // region
      if (/^[A-Za-z]{4}$/.test(tag)) return tag[0]!.toUpperCase() + tag.slice(1).toLowerCase(); // script
      return tag;
    }),
  ].join("-");
}

export function isValidLang(tag: string): boolean {
  return LANG_PATTERN.test(tag);
}

/** "pt-BR" → "Brazilian Portuguese" (what the CC menu shows when no label is given). */
export function languageName(tag: string, locale = "en"): string {
  try {
    return new Intl.DisplayNames([locale], { type: "language" }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

export function captionContentType(file: { name: string; type: string }): CaptionContentType | null {
  const name = file.name.toLowerCase();
  if (name.endsWith(".vtt")) return "text/vtt";
  if (name.endsWith(".srt")) return "application/x-subrip";
  if (file.type === "text/vtt") return "text/vtt";
  if (file.type === "application/x-subrip" || file.type === "text/srt") return "application/x-subrip";
  return null;
}

export type CaptionFileCheck = { ok: true; contentType: CaptionContentType } | { ok: false; error: string };

export function checkCaptionFile(file: { name: string; type: string; size: number }): CaptionFileCheck {
  const contentType = captionContentType(file);
  if (!contentType) return { ok: false, error: "Choose a WebVTT (.vtt) or SubRip (.srt) file." };
  if (file.size === 0) return { ok: false, error: "That file is empty." };
  if (file.size > MAX_CAPTION_BYTES) return { ok: false, error: "Caption files can be at most 1 MiB." };
  return { ok: true, contentType };
}
