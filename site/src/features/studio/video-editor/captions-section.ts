/** The captions section: the tracks (each with Delete), and the form that adds or replaces one. */
import { ApiError, api, type CaptionTrackDto } from "../../../lib/api.ts";
import { checkCaptionFile, isValidLang, languageName, normalizeLang } from "../caption-upload.ts";
import { fieldErrors } from "../studio-model.ts";
import {
  control,
  type EditorContext,
  focusFirstInvalid,
  messageOf,
  setFieldError,
  setStatus,
  showError,
} from "./editor-context.ts";

export interface CaptionsSection {
  render(tracks: CaptionTrackDto[]): void;
}

const cues = (n: number) => `${n} ${n === 1 ? "cue" : "cues"}`;

function trackItem(track: CaptionTrackDto, onDelete: (button: HTMLButtonElement) => void): HTMLLIElement {
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
  details.textContent = `${track.lang} · ${cues(track.cues)}`;
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
  remove.addEventListener("click", () => onDelete(remove));
  li.append(text, remove);
  return li;
}

export function mountCaptionsSection(ctx: EditorContext): CaptionsSection {
  const list = ctx.part("caption-list", HTMLUListElement);
  const empty = ctx.part("captions-empty");
  const form = ctx.part("caption-form", HTMLFormElement);
  const status = ctx.part("caption-status");
  const errorBox = ctx.part("caption-error");
  const heading = ctx.find("#captions-heading");
  heading.tabIndex = -1;

  const render = (tracks: CaptionTrackDto[]) => {
    list.replaceChildren(...tracks.map((t) => trackItem(t, (button) => void deleteTrack(t, button))));
    empty.hidden = tracks.length > 0;
    list.dataset.count = String(tracks.length);
  };
  const reload = async () => render((await api.listCaptions(ctx.videoId, ctx.lifetime)).captions);

  const deleteTrack = async (track: CaptionTrackDto, button: HTMLButtonElement) => {
    button.disabled = true;
    showError(errorBox, null);
    try {
      await api.deleteCaptions(ctx.videoId, track.lang);
      setStatus(status, `${track.label} captions deleted.`, "ok");
    } catch (err) {
      if (!(err instanceof ApiError && err.notFound)) {
        button.disabled = false;
        showError(errorBox, `Couldn't delete ${track.label} captions: ${messageOf(err)}`);
        return;
      }
    }
    await reload().catch(() => undefined);
    heading.focus();
  };

  mountCaptionForm(ctx, { form, status, errorBox, render, reload });
  return { render };
}

interface CaptionFormParts {
  form: HTMLFormElement;
  status: HTMLElement;
  errorBox: HTMLElement;
  render(tracks: CaptionTrackDto[]): void;
  reload(): Promise<void>;
}

type CaptionFields = ReturnType<typeof captionFields>;

function mountCaptionForm(ctx: EditorContext, parts: CaptionFormParts): void {
  const fields = captionFields(ctx, parts.form);
  const { langInput } = fields;
  langInput.addEventListener("input", () => describeLang(fields));
  langInput.addEventListener("change", () => {
    langInput.value = normalizeLang(langInput.value);
    describeLang(fields);
  });
  parts.form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submitCaption(ctx, parts, fields);
  });
}

function captionFields(ctx: EditorContext, form: HTMLFormElement) {
  return {
    submit: ctx.part("caption-submit", HTMLButtonElement),
    langInput: control(form, "lang", HTMLInputElement),
    labelInput: control(form, "label", HTMLInputElement),
    fileInput: control(form, "file", HTMLInputElement),
    defaultInput: control(form, "default", HTMLInputElement),
    langHint: ctx.part("lang-hint"),
  };
}

function describeLang({ langInput, langHint, labelInput }: CaptionFields) {
  const lang = normalizeLang(langInput.value);
  const known = lang && isValidLang(lang) ? languageName(lang) : "";
  langHint.textContent = known && known !== lang ? known : "A language tag such as en or pt-BR.";
  labelInput.placeholder = known || "Shown in the CC menu";
}

async function submitCaption(ctx: EditorContext, parts: CaptionFormParts, fields: CaptionFields) {
  const { form, status, errorBox } = parts;
  for (const f of ["file", "lang", "label"]) setFieldError(form, f, null);
  showError(errorBox, null);
  setStatus(status, "");
  const valid = validateCaption(form, fields);
  if (!valid) return;
  const label = fields.labelInput.value.trim() || languageName(valid.lang);
  fields.submit.disabled = true;
  setStatus(status, "Uploading…");
  try {
    const track = await api.putCaptions(
      ctx.videoId,
      { lang: valid.lang, label, isDefault: fields.defaultInput.checked },
      valid.file,
      valid.contentType,
    );
    form.reset();
    describeLang(fields);
    setStatus(status, `${track.label} captions uploaded (${cues(track.cues)}).`, "ok");
    await parts.reload().catch(() => parts.render([track]));
  } catch (err) {
    showCaptionFailure(ctx, parts, fields, err);
  } finally {
    fields.submit.disabled = false;
  }
}

/** The file and language as typed, or null after marking what is wrong. */
function validateCaption(form: HTMLFormElement, { fileInput, langInput }: CaptionFields) {
  const file = fileInput.files?.[0];
  const lang = normalizeLang(langInput.value);
  langInput.value = lang;
  const checked = file ? checkCaptionFile(file) : ({ ok: false, error: "Choose a caption file." } as const);
  if (!checked.ok) setFieldError(form, "file", checked.error);
  if (!isValidLang(lang)) {
    const message = lang
      ? "Use a language tag such as en, fr or pt-BR."
      : "Which language are these captions in?";
    setFieldError(form, "lang", message);
  }
  if (focusFirstInvalid(form) || !file || !checked.ok) return null;
  return { file, lang, contentType: checked.contentType };
}

function showCaptionFailure(
  ctx: EditorContext,
  parts: CaptionFormParts,
  fields: CaptionFields,
  err: unknown,
) {
  const { form, status, errorBox } = parts;
  setStatus(status, "");
  if (err instanceof ApiError && err.code === "validation_failed") {
    const errors = fieldErrors(err.issues, ["label", "default"]);
    if (errors.label) setFieldError(form, "label", errors.label);
    // The language is a path segment: its issues come without a field name.
    else setFieldError(form, "lang", errors[""] ?? err.message);
    focusFirstInvalid(form);
  } else if (err instanceof ApiError && err.status === 422) {
    showError(errorBox, `This file has a problem: ${err.message}`);
  } else if (err instanceof ApiError && err.status === 413) {
    setFieldError(form, "file", "Caption files can be at most 1 MiB.");
    fields.fileInput.focus();
  } else if (err instanceof ApiError && err.status === 415) {
    setFieldError(form, "file", "Choose a WebVTT (.vtt) or SubRip (.srt) file.");
    fields.fileInput.focus();
  } else if (err instanceof ApiError && err.notFound) {
    ctx.setState("not-found");
  } else {
    showError(errorBox, `Upload failed: ${messageOf(err)}`);
  }
}
