/** The upload page's file input and drop zone: one callback for a file picked either way. */

export interface FilePickerParts {
  input: HTMLInputElement;
  dropzone: HTMLElement;
  /** Disabled while an upload runs: drops are refused then. */
  fieldset: HTMLFieldSetElement;
}

export function mountFilePicker(parts: FilePickerParts, onPick: (file: File | null) => void): void {
  const { input, dropzone, fieldset } = parts;
  input.addEventListener("change", () => onPick(input.files?.[0] ?? null));

  // Keep a missed drop from navigating away to the file.
  for (const type of ["dragover", "drop"] as const) {
    window.addEventListener(type, (event) => event.preventDefault());
  }
  dropzone.addEventListener("dragenter", (event) => {
    event.preventDefault();
    if (!fieldset.disabled) dropzone.classList.add("is-dragging");
  });
  dropzone.addEventListener("dragover", (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = fieldset.disabled ? "none" : "copy";
  });
  dropzone.addEventListener("dragleave", (event) => {
    if (!dropzone.contains(event.relatedTarget as Node | null)) dropzone.classList.remove("is-dragging");
  });
  dropzone.addEventListener("drop", (event) => {
    event.preventDefault();
    dropzone.classList.remove("is-dragging");
    if (fieldset.disabled) return;
    const dropped = event.dataTransfer?.files?.[0] ?? null;
    if (dropped) onPick(dropped);
  });
}
