/**
 * The studio's Comments panel for one video: who may comment (on / held / off, saved on
 * change), the comments held for review with Approve and Delete, and the channel's blocked
 * words (one per line).
 */
import { ApiError, api } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { commentItem, type Viewer } from "./comment-view.ts";

const messageOf = (err: unknown) => (err instanceof ApiError ? err.message : "Something went wrong.");
const OWNER: Viewer = { signedIn: true, canWrite: false, owner: true };

function parts(root: HTMLElement) {
  const $ = elementsOf(root, "studio comments");
  return {
    mode: $(role("mode"), HTMLSelectElement),
    modeStatus: $(role("mode-status")),
    held: $(role("held-list"), HTMLOListElement),
    heldCount: $(role("held-count")),
    heldEmpty: $(role("held-empty")),
    heldError: $(role("held-error")),
    wordsForm: $(role("words-form"), HTMLFormElement),
    words: $(role("words"), HTMLTextAreaElement),
    wordsStatus: $(role("words-status")),
  };
}
type Parts = ReturnType<typeof parts>;

export function mountStudioComments(root: HTMLElement, videoId: string): void {
  const ui = parts(root);
  ui.mode.addEventListener("change", () => void saveMode(ui, videoId));
  ui.wordsForm.addEventListener("submit", (e) => {
    e.preventDefault();
    void saveWords(ui);
  });
  ui.held.addEventListener("click", (e) => void onHeldClick(ui, e));
  void load(root, ui, videoId);
}

async function load(root: HTMLElement, ui: Parts, videoId: string): Promise<void> {
  if ((await authSession.start()).status !== "signed-in") return;
  try {
    const [video, held, words] = await Promise.all([
      api.getVideo(videoId),
      api.heldComments(videoId),
      api.blockedWords(),
    ]);
    ui.mode.value = video.commentsMode;
    ui.words.value = words.words.join("\n");
    ui.held.replaceChildren(...held.comments.map((c) => commentItem(document, c, OWNER)));
    paintHeld(ui);
    root.dataset.state = "ready";
  } catch (err) {
    ui.heldError.textContent = `Couldn't load comments: ${messageOf(err)}`;
    ui.heldError.hidden = false;
    root.dataset.state = "error";
  }
}

function paintHeld(ui: Parts): void {
  const n = ui.held.children.length;
  ui.heldCount.textContent = n ? `(${n})` : "";
  ui.heldEmpty.hidden = n > 0;
}

async function saveMode(ui: Parts, videoId: string): Promise<void> {
  const mode = ui.mode.value as "on" | "off" | "held";
  ui.modeStatus.textContent = "Saving…";
  try {
    await api.updateVideo(videoId, { commentsMode: mode });
    ui.modeStatus.textContent = "Saved.";
  } catch (err) {
    ui.modeStatus.textContent = messageOf(err);
  }
}

async function saveWords(ui: Parts): Promise<void> {
  const words = ui.words.value
    .split("\n")
    .map((w) => w.trim())
    .filter(Boolean);
  ui.wordsStatus.textContent = "Saving…";
  try {
    const saved = await api.setBlockedWords(words);
    ui.words.value = saved.words.join("\n");
    ui.wordsStatus.textContent = saved.words.length ? `Saved ${saved.words.length} words.` : "Saved.";
  } catch (err) {
    ui.wordsStatus.textContent = messageOf(err);
  }
}

async function onHeldClick(ui: Parts, e: Event): Promise<void> {
  const button = (e.target as Element).closest<HTMLButtonElement>("button[data-action]");
  const item = button?.closest<HTMLLIElement>("li.comment");
  const id = item?.dataset.commentId;
  if (!button || !item || !id) return;
  const action = button.dataset.action;
  if (action !== "approve" && action !== "delete") return;
  button.disabled = true;
  try {
    if (action === "approve") await api.approveComment(id);
    else await api.deleteComment(id);
    item.remove();
    paintHeld(ui);
  } catch (err) {
    ui.heldError.textContent = messageOf(err);
    ui.heldError.hidden = false;
    button.disabled = false;
  }
}
