/**
 * A chips input for tags, shared by the upload page and the studio editor. Typing a comma
 * or Enter (or leaving the field, or pasting a list) turns the text into tags, normalized
 * exactly as the API will (contracts' `normalizeTag`), so what the chips show is what gets
 * stored; Backspace in the empty field removes the last chip, each chip has a remove button.
 */
import { isValidTag, MAX_TAGS, normalizeTag, TAG_MAX_LENGTH } from "@streamline/contracts";
import { elementsOf, role } from "./dom.ts";

export interface TagAddition {
  tags: string[];
  /** Pieces that are not valid tags, as typed. */
  rejected: string[];
  /** Some valid tags did not fit under MAX_TAGS. */
  overflow: boolean;
}

/** `current` plus the tags in `text` (comma- or newline-separated), normalized and deduplicated. */
export function addTags(current: readonly string[], text: string): TagAddition {
  const tags = [...current];
  const rejected: string[] = [];
  let overflow = false;
  for (const piece of text.split(/[,\n]/)) {
    if (!piece.trim()) continue;
    const tag = normalizeTag(piece);
    if (!isValidTag(tag)) rejected.push(piece.trim());
    else if (tags.includes(tag)) continue;
    else if (tags.length >= MAX_TAGS) overflow = true;
    else tags.push(tag);
  }
  return { tags, rejected, overflow };
}

/** What to tell the person about an addition, or "" when all went in. */
export function additionMessage({ rejected, overflow }: TagAddition): string {
  if (rejected.length) {
    return `“${rejected[0]}” can't be a tag: use letters, digits, spaces, - or _ (up to ${TAG_MAX_LENGTH} characters).`;
  }
  return overflow ? `A video can have at most ${MAX_TAGS} tags.` : "";
}

export interface TagInput {
  get(): string[];
  set(tags: readonly string[]): void;
}

/**
 * Wires `root` (`[data-role=tag-list]`, `input`, `[data-role=tag-error]` inside, each checked)
 * and calls
 * `onChange` with the new list after every change the person makes.
 */
export function mountTagInput(root: HTMLElement, onChange: (tags: string[]) => void): TagInput {
  const $ = elementsOf(root, "tags input");
  const list = $(role("tag-list"), HTMLUListElement);
  const input = $("input", HTMLInputElement);
  const error = $(role("tag-error"));
  let tags: string[] = [];

  const render = () => {
    list.replaceChildren(...tags.map((tag) => chip(tag, () => change(tags.filter((t) => t !== tag)))));
    root.dataset.count = String(tags.length);
    input.placeholder = tags.length ? "" : "Add tags, separated by commas";
  };
  const change = (next: string[]) => {
    tags = next;
    render();
    onChange([...tags]);
  };
  const commit = (text: string) => {
    const added = addTags(tags, text);
    const message = additionMessage(added);
    error.textContent = message;
    error.hidden = !message;
    input.setAttribute("aria-invalid", String(added.rejected.length > 0));
    if (added.tags.length !== tags.length) change(added.tags);
  };

  input.addEventListener("keydown", (event) => {
    if ((event.key === "Enter" || event.key === ",") && input.value.trim()) {
      event.preventDefault();
      commit(input.value);
      input.value = "";
    } else if (event.key === "Enter") {
      event.preventDefault();
    } else if (event.key === "Backspace" && !input.value && tags.length) {
      change(tags.slice(0, -1));
    }
  });
  input.addEventListener("input", () => {
    if (!/[,\n]/.test(input.value)) return;
    commit(input.value);
    input.value = "";
  });
  input.addEventListener("blur", () => {
    if (!input.value.trim()) return;
    commit(input.value);
    input.value = "";
  });
  render();
  return {
    get: () => [...tags],
    set(next) {
      tags = [...next];
      render();
    },
  };
}

function chip(tag: string, remove: () => void): HTMLLIElement {
  const li = document.createElement("li");
  li.className = "tag-chip";
  li.dataset.testid = "tag-chip";
  const text = document.createElement("span");
  text.textContent = tag;
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "×";
  button.setAttribute("aria-label", `Remove tag ${tag}`);
  button.addEventListener("click", remove);
  li.append(text, button);
  return li;
}
