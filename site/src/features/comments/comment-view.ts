/**
 * One comment as the watch page and the studio show it, built from DOM nodes only: the text
 * is plain text with links and seeking timestamps (the description's renderer), never HTML.
 * Buttons carry `data-action`; the section controller handles clicks on the whole list.
 */
import type { CommentDto } from "../../lib/api.ts";
import { avatarElement, channelHref } from "../../lib/channel-chip.ts";
import { formatRelativeTime } from "../../lib/format.ts";
import { renderDescription } from "../../lib/linked-text.ts";
import { compactCount } from "../reactions/reaction-state.ts";

/** What the caller may do, decided once per page. */
export interface Viewer {
  signedIn: boolean;
  /** Signed in, verified, comments open. */
  canWrite: boolean;
  /** The video is the caller's. */
  owner: boolean;
}

const HEART =
  "M7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3m7-2V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3z";

function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  props: { className?: string; text?: string; testid?: string } = {},
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.testid) node.dataset.testid = props.testid;
  return node;
}

function actionButton(doc: Document, action: string, label: string): HTMLButtonElement {
  const button = el(doc, "button", { className: "comment-action", text: label, testid: `comment-${action}` });
  button.type = "button";
  button.dataset.action = action;
  return button;
}

function likeButton(doc: Document, c: CommentDto, viewer: Viewer): HTMLButtonElement {
  const button = actionButton(doc, "like", "");
  button.setAttribute("aria-pressed", String(!!c.liked));
  button.setAttribute("aria-label", `Like (${c.likeCount})`);
  button.disabled = !viewer.signedIn || !!c.held;
  const svg = doc.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = doc.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", HEART);
  svg.append(path);
  const count = el(doc, "span", { className: "tabular", text: c.likeCount ? compactCount(c.likeCount) : "" });
  count.dataset.role = "like-count";
  button.append(svg, count);
  return button;
}

function head(doc: Document, c: CommentDto): HTMLElement {
  const line = el(doc, "p", { className: "comment-head" });
  if (c.pinned)
    line.append(el(doc, "span", { className: "comment-badge", text: "Pinned", testid: "comment-pinned" }));
  const author = el(doc, "a", {
    className: "comment-author",
    text: c.author ? `@${c.author.handle}` : "deleted",
  });
  if (c.author) author.href = channelHref(c.author.handle);
  const time = el(doc, "time", { className: "muted", text: formatRelativeTime(c.createdAt) });
  time.dateTime = c.createdAt;
  line.append(author, time);
  if (c.editedAt)
    line.append(el(doc, "span", { className: "muted", text: "(edited)", testid: "comment-edited" }));
  if (c.held)
    line.append(
      el(doc, "span", {
        className: "comment-badge comment-badge-held",
        text: "Held for review",
        testid: "comment-held",
      }),
    );
  return line;
}

function actions(doc: Document, c: CommentDto, viewer: Viewer): HTMLElement {
  const row = el(doc, "div", { className: "comment-actions" });
  row.append(likeButton(doc, c, viewer));
  if (viewer.canWrite && !c.held) row.append(actionButton(doc, "reply", "Reply"));
  if (c.mine && viewer.canWrite) row.append(actionButton(doc, "edit", "Edit"));
  if (c.mine || viewer.owner) row.append(actionButton(doc, "delete", "Delete"));
  if (viewer.owner && c.held) row.append(actionButton(doc, "approve", "Approve"));
  if (viewer.owner && !c.parentId && !c.held)
    row.append(actionButton(doc, "pin", c.pinned ? "Unpin" : "Pin"));
  if (!c.mine && !c.held) row.append(reportButton(doc, c));
  return row;
}

/** Opens the page's Report dialog (components/report-button.astro); not a section action. */
function reportButton(doc: Document, c: CommentDto): HTMLButtonElement {
  const button = el(doc, "button", { className: "comment-action", text: "Report", testid: "comment-report" });
  button.type = "button";
  button.dataset.reportOpen = "";
  button.dataset.reportType = "comment";
  button.dataset.reportId = c.id;
  return button;
}

/** The text as shown (links, timestamps); also used after an edit. */
export function commentText(doc: Document, text: string): HTMLParagraphElement {
  const p = el(doc, "p", { className: "comment-text", testid: "comment-text" });
  p.append(renderDescription(doc, text));
  return p;
}

export function repliesToggle(doc: Document, count: number): HTMLButtonElement {
  const button = actionButton(doc, "replies", count === 1 ? "1 reply" : `${count} replies`);
  button.classList.add("comment-replies-toggle");
  button.dataset.testid = "comment-replies-toggle";
  button.setAttribute("aria-expanded", "false");
  button.hidden = count === 0;
  return button;
}

export function commentItem(doc: Document, c: CommentDto, viewer: Viewer): HTMLLIElement {
  const li = el(doc, "li", {
    className: c.parentId ? "comment comment-reply" : "comment",
    testid: "comment",
  });
  li.dataset.commentId = c.id;
  if (c.held) li.dataset.held = "true";
  if (c.pinned) li.dataset.pinned = "true";
  const avatarLink = el(doc, "a", { className: "comment-avatar" });
  avatarLink.setAttribute("aria-hidden", "true");
  avatarLink.tabIndex = -1;
  if (c.author) avatarLink.href = channelHref(c.author.handle);
  avatarLink.append(
    avatarElement(doc, c.author ?? { displayName: "?", avatarUrl: null }, c.parentId ? "sm" : "md"),
  );
  const main = el(doc, "div", { className: "comment-main" });
  const slot = el(doc, "div", { className: "comment-slot" });
  slot.dataset.role = "slot";
  main.append(head(doc, c), commentText(doc, c.text), actions(doc, c, viewer), slot);
  if (!c.parentId) {
    const replies = el(doc, "ol", { className: "comment-replies", testid: "comment-replies" });
    replies.dataset.role = "replies";
    const more = actionButton(doc, "more-replies", "Show more replies");
    more.hidden = true;
    main.append(repliesToggle(doc, c.replyCount), replies, more);
  }
  li.append(avatarLink, main);
  return li;
}

/** A small form for a reply or an edit, inside a comment. */
export function inlineComposer(
  doc: Document,
  opts: { kind: "reply" | "edit"; text?: string; placeholder: string },
): HTMLFormElement {
  const form = el(doc, "form", { className: "composer composer-inline", testid: `${opts.kind}-form` });
  form.dataset.kind = opts.kind;
  form.noValidate = true;
  const area = el(doc, "textarea", { className: "input composer-text", testid: `${opts.kind}-text` });
  area.name = "text";
  area.rows = 2;
  area.maxLength = 10_000;
  area.placeholder = opts.placeholder;
  area.setAttribute("aria-label", opts.placeholder);
  area.value = opts.text ?? "";
  const status = el(doc, "p", { className: "composer-status", testid: `${opts.kind}-status` });
  status.setAttribute("role", "status");
  const cancel = el(doc, "button", { className: "button button-secondary", text: "Cancel" });
  cancel.type = "button";
  cancel.dataset.action = "cancel";
  const submit = el(doc, "button", {
    className: "button",
    text: opts.kind === "reply" ? "Reply" : "Save",
    testid: `${opts.kind}-submit`,
  });
  submit.type = "submit";
  const row = el(doc, "div", { className: "composer-actions" });
  row.append(status, cancel, submit);
  form.append(area, row);
  return form;
}
