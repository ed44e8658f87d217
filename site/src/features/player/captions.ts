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

export function createCaptions(
  root: HTMLElement,
  video: HTMLVideoElement,
  button: HTMLButtonElement,
  changed: () => void,
  signal: AbortSignal,
): Captions {
  let lastUsed = -1;
  const style: CaptionStyle = parseCaptionStyle(readPref(CAPTION_STYLE_KEY));
  const applyStyle = () => {
    root.dataset.ccSize = style.size;
    root.dataset.ccBackground = style.background;
  };
  const showing = () => captionTracks(video).findIndex((t) => t.mode === "showing");
  const show = (index: number) => {
    captionTracks(video).forEach((t, i) => {
      t.mode = i === index ? "showing" : "disabled";
    });
    if (index >= 0) lastUsed = index;
  };
  const render = () => {
    const tracks = captionTracks(video);
    const on = showing();
    if (on >= 0) lastUsed = on;
    button.hidden = tracks.length === 0;
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
  applyStyle();
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
      return [
        {
          id: "captions",
          label: "Subtitles",
          value: on >= 0 ? trackLabel(tracks[on]!, on) : "Off",
          options: captionOptions(tracks, on),
        },
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
    },
    choose(id, value, say) {
      if (id === "captions") {
        show(Number(value));
        render();
        return say(describe(Number(value)));
      }
      if (id === "cc-size") style.size = value as CaptionStyle["size"];
      else if (id === "cc-background") style.background = value as CaptionStyle["background"];
      else return;
      Object.assign(style, parseCaptionStyle(JSON.stringify(style)));
      writePref(CAPTION_STYLE_KEY, JSON.stringify(style));
      applyStyle();
      say(
        id === "cc-size"
          ? `Caption size ${captionSizeLabel(style.size)}`
          : `Caption background ${captionBackgroundLabel(style.background)}`,
      );
    },
  };
}
