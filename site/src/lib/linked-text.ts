/**
 * User text (a video's description, a comment) as pages show it: plain text, with web addresses made
 * into links (`rel="noopener nofollow ugc"`, new tab) and timestamps like `1:23` into links
 * that seek the player (`?t=83`, so they also work opened in a new tab). Built from DOM
 * nodes only — text is never parsed as HTML, so markup in a description stays visible text.
 */
import { type Chapter, parseTimestamp, TIMESTAMP_IN_TEXT } from "@streamline/contracts";
import { formatDuration } from "./format.ts";

export type DescriptionPart =
  | { kind: "text"; text: string }
  | { kind: "link"; href: string; text: string }
  | { kind: "time"; sec: number; text: string };

/** http(s) only: nothing else (javascript:, data:) can become a link. */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Sentence punctuation after an address is not part of it (a `)` closing a `(` inside it is). */
function withoutTrailing(raw: string): string {
  let end = raw.length;
  for (; end > 0; end--) {
    const c = raw[end - 1]!;
    if (c === ")") {
      const head = raw.slice(0, end);
      if (head.split("(").length > head.split(")").length - 1) break;
    } else if (!".,;:!?'\"]}".includes(c)) break;
  }
  return raw.slice(0, end);
}

function linkPart(raw: string): { part: DescriptionPart | null; rest: string } {
  const trimmed = withoutTrailing(raw);
  const rest = raw.slice(trimmed.length);
  try {
    const url = new URL(trimmed);
    if (url.protocol !== "http:" && url.protocol !== "https:") return { part: null, rest: raw };
    return { part: { kind: "link", href: url.href, text: trimmed }, rest };
  } catch {
    return { part: null, rest: raw };
  }
}

function timeParts(text: string): DescriptionPart[] {
  const parts: DescriptionPart[] = [];
  let at = 0;
  for (const m of text.matchAll(TIMESTAMP_IN_TEXT)) {
    const sec = parseTimestamp(m[0]);
    if (sec === null) continue;
    if (m.index > at) parts.push({ kind: "text", text: text.slice(at, m.index) });
    parts.push({ kind: "time", sec, text: m[0] });
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push({ kind: "text", text: text.slice(at) });
  return parts;
}

/** The description cut into text, links and timestamps, in order; joined, the texts are the input. */
export function descriptionParts(description: string): DescriptionPart[] {
  const parts: DescriptionPart[] = [];
  let at = 0;
  for (const m of description.matchAll(URL_IN_TEXT)) {
    const { part, rest } = linkPart(m[0]);
    if (!part) continue;
    parts.push(...timeParts(description.slice(at, m.index)), part);
    at = m.index + m[0].length - rest.length;
  }
  parts.push(...timeParts(description.slice(at)));
  return mergeText(parts);
}

function mergeText(parts: DescriptionPart[]): DescriptionPart[] {
  const out: DescriptionPart[] = [];
  for (const p of parts) {
    const last = out.at(-1);
    if (p.kind === "text" && last?.kind === "text") last.text += p.text;
    else if (p.kind !== "text" || p.text) out.push({ ...p });
  }
  return out;
}

/** The parts of the DOM the renderer uses (a stand-in in unit tests). */
export type NodeFactory = Pick<Document, "createElement" | "createTextNode" | "createDocumentFragment">;

/** A link that seeks to `sec` (`?t=` keeps the rest of the address). */
export function timeLink(doc: NodeFactory, sec: number, text: string): HTMLAnchorElement {
  const a = doc.createElement("a");
  a.href = `?t=${sec}`;
  a.className = "timestamp";
  a.dataset.seek = String(sec);
  a.textContent = text;
  return a;
}

export function renderDescription(doc: NodeFactory, description: string): DocumentFragment {
  const fragment = doc.createDocumentFragment();
  for (const part of descriptionParts(description)) {
    if (part.kind === "text") fragment.append(doc.createTextNode(part.text));
    else if (part.kind === "time") fragment.append(timeLink(doc, part.sec, part.text));
    else {
      const a = doc.createElement("a");
      a.href = part.href;
      a.rel = "noopener nofollow ugc";
      a.target = "_blank";
      a.textContent = part.text;
      fragment.append(a);
    }
  }
  return fragment;
}

/** The chapters as a list of seek links: `0:00 Intro`. */
export function renderChapters(doc: NodeFactory, chapters: readonly Chapter[]): HTMLLIElement[] {
  return chapters.map((chapter) => {
    const li = doc.createElement("li");
    const link = timeLink(doc, chapter.startSec, formatDuration(chapter.startSec) || "0:00");
    const title = doc.createElement("span");
    title.textContent = chapter.title;
    link.append(title);
    li.append(link);
    return li;
  });
}

/** `?t=83`, `?t=1m23s`, `?t=1:23` → seconds; null when absent or unreadable. */
export function startTimeOf(search: string): number | null {
  const t = new URLSearchParams(search).get("t");
  if (!t) return null;
  if (/^\d+$/.test(t)) return Number(t);
  const hms = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
  if (hms && (hms[1] || hms[2] || hms[3])) {
    return Number(hms[1] ?? 0) * 3600 + Number(hms[2] ?? 0) * 60 + Number(hms[3] ?? 0);
  }
  return parseTimestamp(t);
}
