/**
 * The channel editor (`/studio/channel`): loads `GET /api/me/channel`, saves name, handle,
 * description and links with `PATCH /api/me/channel` (field errors from the API's issues
 * shown beside each field), and hosts the avatar and banner image fields.
 */
import { CHANNEL_LINKS_MAX } from "@streamline/contracts";
import { ApiError, api, type MyChannelResponse, type UpdateChannelRequest } from "../../lib/api.ts";
import { elementsOf, requireElement, role } from "../../lib/dom.ts";
import { mountImageField, showRendered } from "./channel-image-field.ts";

interface Editor {
  readonly root: HTMLElement;
  readonly form: HTMLFormElement;
  readonly links: HTMLOListElement;
  readonly addLink: HTMLButtonElement;
  readonly status: HTMLElement;
  readonly rowTemplate: HTMLTemplateElement;
  current: MyChannelResponse | null;
}

const input = (form: HTMLFormElement, name: string) =>
  requireElement(form, `[name="${name}"]`, HTMLElement, "channel form") as
    | HTMLInputElement
    | HTMLTextAreaElement;

function addLinkRow(editor: Editor, link = { title: "", url: "" }) {
  const node = editor.rowTemplate.content.cloneNode(true) as DocumentFragment;
  const $ = elementsOf(node, "link row");
  $(role("link-title"), HTMLInputElement).value = link.title;
  $(role("link-url"), HTMLInputElement).value = link.url;
  const li = $("li", HTMLLIElement);
  $(role("remove-link"), HTMLButtonElement).addEventListener("click", () => {
    li.remove();
    editor.addLink.disabled = false;
  });
  editor.links.append(node);
  editor.addLink.disabled = editor.links.childElementCount >= CHANNEL_LINKS_MAX;
}

/** The form as a PATCH body; the handle only when it changed (it has its own rules and limit). */
export function formBody(
  form: HTMLFormElement,
  links: HTMLElement,
  currentHandle: string,
): UpdateChannelRequest {
  const rows = [...links.querySelectorAll("li")].map((li) => ({
    title: li.querySelector<HTMLInputElement>('[data-role="link-title"]')?.value.trim() ?? "",
    url: li.querySelector<HTMLInputElement>('[data-role="link-url"]')?.value.trim() ?? "",
  }));
  const handle = input(form, "handle").value.trim().toLowerCase();
  return {
    displayName: input(form, "displayName").value,
    description: input(form, "description").value,
    links: rows.filter((r) => r.title || r.url),
    ...(handle !== currentHandle ? { handle } : {}),
  };
}

function fill(editor: Editor, mine: MyChannelResponse) {
  editor.current = mine;
  const { channel } = mine;
  input(editor.form, "displayName").value = channel.displayName;
  input(editor.form, "handle").value = channel.handle;
  input(editor.form, "description").value = channel.description;
  editor.links.replaceChildren();
  for (const link of channel.links) addLinkRow(editor, link);
  editor.addLink.disabled = channel.links.length >= CHANNEL_LINKS_MAX;
  const view = requireElement(editor.root, '[data-role="view"]', HTMLAnchorElement, "channel editor");
  view.href = `/c/${encodeURIComponent(channel.handle)}`;
}

function showErrors(editor: Editor, err: unknown) {
  const issues = err instanceof ApiError ? ((err.issues ?? []) as { path?: string; message?: string }[]) : [];
  for (const issue of issues) {
    const key = (issue.path ?? "").split(".")[0] ?? "";
    const box = editor.form.querySelector<HTMLElement>(`[data-error-for="${key}"]`);
    if (box && issue.message) {
      box.textContent = issue.message;
      box.hidden = false;
    }
  }
  const handleBox = editor.form.querySelector<HTMLElement>('[data-error-for="handle"]');
  if (
    err instanceof ApiError &&
    handleBox &&
    (err.code === "handle_taken" || err.code === "handle_change_limit")
  ) {
    handleBox.textContent = err.message;
    handleBox.hidden = false;
  }
  editor.status.textContent = err instanceof Error ? err.message : "Couldn't save.";
  editor.status.dataset.tone = "error";
}

async function save(editor: Editor) {
  for (const box of editor.form.querySelectorAll<HTMLElement>("[data-error-for]")) box.hidden = true;
  const submit = requireElement(editor.form, '[data-role="save"]', HTMLButtonElement, "channel form");
  submit.disabled = true;
  editor.status.textContent = "Saving…";
  editor.status.dataset.tone = "";
  try {
    const mine = await api.updateChannel(
      formBody(editor.form, editor.links, editor.current?.channel.handle ?? ""),
    );
    fill(editor, mine);
    editor.status.textContent = "Saved.";
    editor.status.dataset.tone = "ok";
  } catch (err) {
    showErrors(editor, err);
  } finally {
    submit.disabled = false;
  }
}

export function mountChannelEditor(root: HTMLElement): void {
  const $ = elementsOf(root, "channel editor");
  const form = $(role("form"), HTMLFormElement);
  const editor: Editor = {
    root,
    form,
    links: $(role("links"), HTMLOListElement),
    addLink: $(role("add-link"), HTMLButtonElement),
    status: $(role("form-status")),
    rowTemplate: requireElement(document, "#link-row-template", HTMLTemplateElement, "channel editor"),
    current: null,
  };
  const fields = [...root.querySelectorAll<HTMLElement>(".image-field")].map((el) =>
    mountImageField(el, () => {}),
  );
  editor.addLink.addEventListener("click", () => addLinkRow(editor));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void save(editor);
  });
  const load = async () => {
    root.dataset.state = "loading";
    try {
      const mine = await api.myChannel();
      fill(editor, mine);
      for (const field of fields) showRendered(field, mine);
      root.dataset.state = "ready";
    } catch (err) {
      $(role("error-message")).textContent = err instanceof Error ? err.message : String(err);
      root.dataset.state = "error";
      $(role("error")).hidden = false;
    } finally {
      root.setAttribute("aria-busy", "false");
    }
  };
  $(role("retry"), HTMLButtonElement).addEventListener("click", () => void load());
  void load();
}
