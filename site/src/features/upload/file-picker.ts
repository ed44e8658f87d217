/** The upload page's file input (several files) and drop zone: one callback for the files picked either way. */

export interface FilePickerParts {
  input: HTMLInputElement;
  dropzone: HTMLElement;
  /** Disabled: drops are refused. */
  fieldset: HTMLFieldSetElement;
}

export function mountFilePicker(parts: FilePickerParts, onPick: (files: File[]) => void): void {
  const { input, dropzone, fieldset } = parts;
  input.addEventListener("change", () => {
    const files = [...(input.files ?? [])];
    // Cleared, so picking the same file again (after cancelling it) fires `change` again.
    input.value = "";
    if (files.length) onPick(files);
  });

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
    const dropped = [...(event.dataTransfer?.files ?? [])];
    if (dropped.length) onPick(dropped);
  });
}
