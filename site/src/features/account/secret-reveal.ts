/**
 * The "shown once" box of a new API key or webhook secret: the value in a read-only field
 * and a Copy button (Clipboard API, falling back to selecting the text for ⌘C / Ctrl+C).
 */
export function revealSecret(box: HTMLElement, value: string): void {
  const input = box.querySelector<HTMLInputElement>("input");
  const copy = box.querySelector<HTMLButtonElement>("button");
  const status = box.querySelector<HTMLElement>("[data-role=copy-status]");
  if (!input || !copy || !status) throw new Error("secret box: missing input, button or status");
  input.value = value;
  status.textContent = "";
  box.hidden = false;
  copy.onclick = async () => {
    try {
      await navigator.clipboard.writeText(value);
      status.textContent = "Copied.";
    } catch {
      input.select();
      status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  };
  input.focus();
  input.select();
}

/** Checked boxes of a fieldset, by `name`. */
export function checkedValues(form: HTMLFormElement, name: string): string[] {
  return Array.from(form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`), (i) => i.value);
}

export function chip(text: string): HTMLSpanElement {
  const span = document.createElement("span");
  span.className = "chip";
  span.textContent = text;
  return span;
}
