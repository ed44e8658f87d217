/**
 * The Report dialog (ADR 0024): one `<dialog data-report-dialog>` per page, opened by any
 * `[data-report-open]` button (the watch page, the channel page, each comment's menu —
 * comments are rendered client-side, so clicks are delegated from the document). The button
 * names what it reports with `data-report-type` and `data-report-id`. Anonymous viewers get a
 * sign-in prompt instead of the form.
 */
import type { ReportReason, ReportTargetType } from "@streamline/contracts";
import { ApiError, api } from "../../lib/api.ts";
import { authSession, loginUrl } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";

type DialogState = "form" | "sending" | "done" | "signin";

const NOUN: Record<ReportTargetType, string> = { video: "video", comment: "comment", channel: "channel" };

export function reportErrorText(err: unknown): string {
  if (err instanceof ApiError && err.code === "already_reported")
    return "You already reported this. A moderator will look at it.";
  if (err instanceof ApiError && err.code === "own_content") return "You can't report your own content.";
  if (err instanceof ApiError && err.notFound) return "This is no longer available.";
  return err instanceof ApiError ? err.message : "Something went wrong. Please try again.";
}

export function mountReportDialog(dialog: HTMLDialogElement): void {
  const $ = elementsOf(dialog, "report dialog");
  const form = $(role("form"), HTMLFormElement);
  const title = $(role("title"));
  const error = $(role("error"));
  const done = $(role("done"));
  const signin = $(role("signin"), HTMLAnchorElement);
  const submit = $(role("submit"), HTMLButtonElement);
  let target: { type: ReportTargetType; id: string } | null = null;

  const show = (state: DialogState) => {
    dialog.dataset.state = state;
    form.hidden = state === "done" || state === "signin";
    done.hidden = state !== "done";
    signin.parentElement!.hidden = state !== "signin";
    submit.disabled = state === "sending";
  };

  const open = (type: ReportTargetType, id: string) => {
    target = { type, id };
    title.textContent = `Report this ${NOUN[type]}`;
    form.reset();
    error.hidden = true;
    signin.href = loginUrl(`${location.pathname}${location.search}`);
    show(authSession.state().status === "signed-in" ? "form" : "signin");
    dialog.showModal();
  };

  document.addEventListener("click", (event) => {
    const button = (event.target as Element | null)?.closest<HTMLElement>("[data-report-open]");
    const type = button?.dataset.reportType as ReportTargetType | undefined;
    if (!button || !type || !button.dataset.reportId) return;
    event.preventDefault();
    open(type, button.dataset.reportId);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!target) return;
    const data = new FormData(form);
    const reason = data.get("reason");
    if (typeof reason !== "string") {
      error.textContent = "Choose a reason.";
      error.hidden = false;
      return;
    }
    const details = String(data.get("details") ?? "").trim();
    show("sending");
    try {
      await api.report({
        targetType: target.type,
        targetId: target.id,
        reason: reason as ReportReason,
        ...(details ? { details } : {}),
      });
      show("done");
    } catch (err) {
      error.textContent = reportErrorText(err);
      error.hidden = false;
      show("form");
    }
  });

  for (const close of dialog.querySelectorAll<HTMLButtonElement>("[data-role=close]")) {
    close.addEventListener("click", () => dialog.close());
  }
}
