/**
 * The WAI-ARIA menu button pattern (https://www.w3.org/WAI/ARIA/apg/patterns/menu-button/)
 * for one button and its `role="menu"`: Enter, Space or ↓ open it on the first item, ↑ on the
 * last; ↑/↓ move (wrapping), Home/End jump; a letter jumps to the next item starting with it;
 * Esc closes and gives focus back to the button; Tab, a click outside or choosing an item
 * closes. Items are the menu's visible `menuitem`/`menuitemradio`/`menuitemcheckbox`
 * elements, in document order, with a roving tabindex.
 */

const ITEM_SELECTOR = '[role="menuitem"], [role="menuitemradio"], [role="menuitemcheckbox"]';

export interface MenuButton {
  open(focus?: "first" | "last"): void;
  close(returnFocus?: boolean): void;
  isOpen(): boolean;
}

/** The items a person can reach now (hidden ones, e.g. signed-in-only links while signed out, are skipped). */
export function menuItems(menu: HTMLElement): HTMLElement[] {
  return [...menu.querySelectorAll<HTMLElement>(ITEM_SELECTOR)].filter(
    (item) => item.getClientRects().length > 0 && !item.hasAttribute("disabled"),
  );
}

/** Index of the next item (after `from`, wrapping) whose text starts with `letter`; -1 when none. */
export function typeaheadIndex(labels: readonly string[], from: number, letter: string): number {
  const wanted = letter.toLowerCase();
  for (let step = 1; step <= labels.length; step++) {
    const i = (from + step) % labels.length;
    if (labels[i]?.trim().toLowerCase().startsWith(wanted)) return i;
  }
  return -1;
}

function focusItem(items: HTMLElement[], index: number): void {
  if (!items.length) return;
  const i = (index + items.length) % items.length;
  items.forEach((item, n) => {
    item.tabIndex = n === i ? 0 : -1;
  });
  items[i]?.focus();
}

function onMenuKey(menu: HTMLElement, event: KeyboardEvent, close: MenuButton["close"]): void {
  const items = menuItems(menu);
  const at = items.indexOf(document.activeElement as HTMLElement);
  const moves: Record<string, number> = {
    ArrowDown: at + 1,
    ArrowUp: at - 1,
    Home: 0,
    End: items.length - 1,
  };
  if (event.key in moves) {
    event.preventDefault();
    focusItem(items, moves[event.key] ?? 0);
  } else if (event.key === "Escape") {
    event.preventDefault();
    close(true);
  } else if (event.key === "Tab") {
    close(false);
  } else if (
    event.key.length === 1 &&
    /\S/.test(event.key) &&
    !event.ctrlKey &&
    !event.metaKey &&
    !event.altKey
  ) {
    const next = typeaheadIndex(
      items.map((item) => item.textContent ?? ""),
      at,
      event.key,
    );
    if (next >= 0) focusItem(items, next);
  }
}

export function mountMenuButton(button: HTMLButtonElement, menu: HTMLElement): MenuButton {
  const isOpen = () => !menu.hidden;
  const close = (returnFocus = false) => {
    if (!isOpen()) return;
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (returnFocus) button.focus();
  };
  const open = (focus: "first" | "last" = "first") => {
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    const items = menuItems(menu);
    focusItem(items, focus === "first" ? 0 : items.length - 1);
  };

  button.addEventListener("click", () => (isOpen() ? close(true) : open("first")));
  button.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      open(event.key === "ArrowDown" ? "first" : "last");
    }
  });
  menu.addEventListener("keydown", (event) => onMenuKey(menu, event, close));
  // Choosing a link or action closes; radios (the theme) stay open so the change is seen.
  menu.addEventListener("click", (event) => {
    const item = (event.target as Element).closest(ITEM_SELECTOR);
    if (item && item.getAttribute("role") === "menuitem") close(false);
  });
  document.addEventListener("pointerdown", (event) => {
    const target = event.target as Node;
    if (isOpen() && !menu.contains(target) && !button.contains(target)) close(false);
  });
  return { open, close, isOpen };
}
