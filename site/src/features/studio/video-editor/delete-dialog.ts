/** Delete, behind a confirmation dialog; then back to the studio list with a one-shot notice. */
import { ApiError, api } from "../../../lib/api.ts";
import { setStudioFlash } from "../studio-flash.ts";
import { type EditorContext, messageOf, showError } from "./editor-context.ts";

export function mountDeleteDialog(ctx: EditorContext): void {
  const dialog = ctx.part("delete-dialog", HTMLDialogElement);
  const confirm = ctx.part("confirm-delete", HTMLButtonElement);
  const errorBox = ctx.part("delete-error");
  const name = ctx.part("delete-name");

  ctx.part("delete", HTMLButtonElement).addEventListener("click", () => {
    name.textContent = ctx.latest()?.title ?? "";
    showError(errorBox, null);
    dialog.showModal();
  });

  confirm.addEventListener("click", async () => {
    const title = ctx.latest()?.title ?? "The video";
    confirm.disabled = true;
    showError(errorBox, null);
    try {
      await api.deleteVideo(ctx.videoId);
    } catch (err) {
      if (!(err instanceof ApiError && err.notFound)) {
        confirm.disabled = false;
        showError(errorBox, `Not deleted: ${messageOf(err)}`);
        return;
      }
    }
    ctx.setState("deleted");
    setStudioFlash(`“${title}” was deleted.`);
    location.assign("/studio");
  });
}
