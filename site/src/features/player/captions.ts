/**
 * Captions: the element's subtitle/caption text tracks (hls.js makes one per SUBTITLES rendition;
 * the browser renders the cues), the CC button, `c`, the settings entries for the track and its
 * style (size, background, remembered), applied as `data-cc-*` on the stage for `video::cue`.
 * Choosing a track sets the modes; hls.js follows the showing track on its own.
 */

import {
  type CaptionStyle,
  captionBackgroundLabel,
  captionBackgroundOptions,
  captionOptions,
  captionSizeLabel,
  captionSizeOptions,
  parseCaptionStyle,
  toggledCaption,
  trackLabel,
} from "./menus.ts";
import { readPref, writePref } from "./prefs.ts";
import type { MenuEntry } from "./settings-menu.ts";

export const CAPTION_STYLE_KEY = "streamline.player.captions";

export interface Captions {
  /** `c`: on (the last used track) or off; returns what to announce. */
  toggle(): string;
  menuEntries(): MenuEntry[];
  choose(id: string, value: string, say: (text: string) => void): void;
}

function captionTracks(video: HTMLVideoElement): TextTrack[] {
  return [...video.textTracks].filter((t) => t.kind === "subtitles" || t.kind === "captions");
}

/** The caption-style rows of the settings popover. */
function styleEntries(style: CaptionStyle): MenuEntry[] {
  return [
    {
      id: "cc-size",
      label: "Caption size",
      value: captionSizeLabel(style.size),
      options: captionSizeOptions(style.size),
    },
    {
      id: "cc-background",
      label: "Caption background",
      value: captionBackgroundLabel(style.background),
      options: captionBackgroundOptions(style.background),
    },
  ];
}

/** Applies and remembers a style choice; returns what to announce, or null for another menu. */
function chooseStyle(root: HTMLElement, style: CaptionStyle, id: string, value: string): string | null {
  if (id === "cc-size") style.size = value as CaptionStyle["size"];
  else if (id === "cc-background") style.background = value as CaptionStyle["background"];
  else return null;
  Object.assign(style, parseCaptionStyle(JSON.stringify(style)));
  writePref(CAPTION_STYLE_KEY, JSON.stringify(style));
  applyStyle(root, style);
  return id === "cc-size"
    ? `Caption size ${captionSizeLabel(style.size)}`
    : `Caption background ${captionBackgroundLabel(style.background)}`;
}

function applyStyle(root: HTMLElement, style: CaptionStyle): void {
  root.dataset.ccSize = style.size;
  root.dataset.ccBackground = style.background;
}

export function createCaptions(
  root: HTMLElement,
  video: HTMLVideoElement,
  button: HTMLButtonElement,
  changed: () => void,
  signal: AbortSignal,
): Captions {
  let lastUsed = -1;
  const style: CaptionStyle = parseCaptionStyle(readPref(CAPTION_STYLE_KEY));
  const showing = () => captionTracks(video).findIndex((t) => t.mode === "showing");
  const show = (index: number) => {
    captionTracks(video).forEach((t, i) => {
      t.mode = i === index ? "showing" : "disabled";
    });
    if (index >= 0) lastUsed = index;
  };
  const render = () => {
    const on = showing();
    if (on >= 0) lastUsed = on;
    button.hidden = captionTracks(video).length === 0;
    button.setAttribute("aria-pressed", String(on >= 0));
    changed();
  };
  const describe = (index: number) => {
    const track = captionTracks(video)[index];
    return track ? `Subtitles: ${trackLabel(track, index)}` : "Subtitles off";
  };
  const toggle = () => {
    const next = toggledCaption(showing(), lastUsed, captionTracks(video).length);
    show(next);
    render();
    return describe(next);
  };
  applyStyle(root, style);
  for (const type of ["addtrack", "removetrack", "change"] as const) {
    video.textTracks.addEventListener(type, render, { signal });
  }
  button.addEventListener("click", () => toggle(), { signal });
  render();
  return {
    toggle,
    menuEntries() {
      const tracks = captionTracks(video);
      if (tracks.length === 0) return [];
      const on = showing();
      const value = on >= 0 ? trackLabel(tracks[on]!, on) : "Off";
      const options = captionOptions(tracks, on);
      return [{ id: "captions", label: "Subtitles", value, options }, ...styleEntries(style)];
    },
    choose(id, value, say) {
      if (id !== "captions") {
        const said = chooseStyle(root, style, id, value);
        if (said) say(said);
        return;
      }
      show(Number(value));
      render();
      say(describe(Number(value)));
    },
  };
}
