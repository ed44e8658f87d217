/**
 * The settings popover (gear button): a main list — Quality, Speed, Subtitles, caption size and
 * background, and on phones Picture-in-picture and Theater — each opening a list of choices.
 * An ARIA menu: arrows move, Enter/Space choose, Escape or ← goes back, Tab leaves; focus
 * returns to the gear when it closes. What the lists hold comes from `entries()`.
 */
import type { MenuOption } from "./menus.ts";

export interface MenuEntry {
  /** `data-testid` of the row in the main list, and the submenu it opens. */
  id: string;
  label: string;
  /** Shown on the right of the row. */
  value: string;
  /** The choices (a submenu), or an action run at once (a toggle row). */
  options?: MenuOption[];
  run?: () => void;
  /** `aria-checked` for a toggle row. */
  checked?: boolean;
  /** Only on narrow players (the bar has a button for it otherwise). */
  narrowOnly?: boolean;
}

export interface SettingsMenuDeps {
  button: HTMLButtonElement;
  menu: HTMLElement;
  /** The `.player-ui`: marked while the menu is open so the controls stay up. */
  ui: HTMLElement;
  entries(): MenuEntry[];
  choose(id: string, value: string): void;
}

export interface SettingsMenu {
  readonly open: boolean;
  /** Re-render in place (labels changed, e.g. the quality Auto plays). */
  refresh(): void;
  close(focusButton?: boolean): void;
  destroy(): void;
}

function item(role: string, text: string, value?: string): HTMLButtonElement {
  const el = document.createElement("button");
  el.type = "button";
  el.setAttribute("role", role);
  el.tabIndex = -1;
  const label = document.createElement("span");
  label.textContent = text;
  el.append(label);
  if (value !== undefined) {
    const right = document.createElement("span");
    right.className = "menu-value";
    right.textContent = value;
    el.append(right);
  }
  return el;
}

function mainRow(entry: MenuEntry): HTMLButtonElement {
  const toggle = entry.run !== undefined;
  const el = item(
    toggle ? "menuitemcheckbox" : "menuitem",
    entry.label,
    toggle ? undefined : `${entry.value} ›`,
  );
  el.dataset.testid = `${entry.id}-item`;
  el.dataset.entry = entry.id;
  if (toggle) el.setAttribute("aria-checked", String(!!entry.checked));
  else el.setAttribute("aria-haspopup", "menu");
  if (entry.narrowOnly) el.classList.add("narrow-only");
  return el;
}

function subRows(entry: MenuEntry): HTMLButtonElement[] {
  const back = item("menuitem", `‹ ${entry.label}`);
  back.classList.add("menu-back");
  back.dataset.back = "true";
  const rows = (entry.options ?? []).map((option) => {
    const el = item("menuitemradio", option.label);
    el.setAttribute("aria-checked", String(option.checked));
    el.dataset.testid = "menu-option";
    el.dataset.value = option.value;
    el.dataset.entry = entry.id;
    return el;
  });
  return [back, ...rows];
}

function visibleItems(menu: HTMLElement): HTMLElement[] {
  return [...menu.querySelectorAll<HTMLElement>("[role^='menuitem']")].filter(
    (el) => el.offsetParent !== null,
  );
}

function moveFocus(menu: HTMLElement, key: string): boolean {
  const items = visibleItems(menu);
  if (items.length === 0) return false;
  const at = items.indexOf(document.activeElement as HTMLElement);
  const index: Record<string, number> = {
    ArrowDown: (at + 1) % items.length,
    ArrowUp: (at - 1 + items.length) % items.length,
    Home: 0,
    End: items.length - 1,
  };
  const next = index[key];
  if (next === undefined) return false;
  items[next]?.focus();
  return true;
}

export function mountSettingsMenu(deps: SettingsMenuDeps, signal: AbortSignal): SettingsMenu {
  const { button, menu, ui } = deps;
  let view: string | null = null; // null: closed; "main" or an entry id
  const render = (focusIndex: number | null) => {
    const entries = deps.entries().filter((e) => e.run !== undefined || (e.options?.length ?? 0) > 0);
    const sub = entries.find((e) => e.id === view);
    if (view !== "main" && !sub) view = "main";
    menu.replaceChildren(...(sub ? subRows(sub) : entries.map(mainRow)));
    menu.setAttribute("aria-label", sub ? sub.label : "Settings");
    if (focusIndex === null) return;
    const items = visibleItems(menu);
    const checked = items.findIndex(
      (el) => el.getAttribute("aria-checked") === "true" && el.dataset.testid === "menu-option",
    );
    items[focusIndex >= 0 ? Math.min(focusIndex, items.length - 1) : Math.max(0, checked)]?.focus();
  };
  const show = (next: string, focus: number) => {
    view = next;
    menu.hidden = false;
    ui.dataset.menuOpen = "true";
    button.setAttribute("aria-expanded", "true");
    render(focus);
  };
  const close = (focusButton = false) => {
    if (view === null) return;
    view = null;
    menu.hidden = true;
    delete ui.dataset.menuOpen;
    button.setAttribute("aria-expanded", "false");
    if (focusButton) button.focus();
  };
  const activate = (el: HTMLElement) => {
    if (el.dataset.back) return show("main", 0);
    const id = el.dataset.entry ?? "";
    if (el.dataset.testid === "menu-option") {
      deps.choose(id, el.dataset.value ?? "");
      return show("main", 0);
    }
    const entry = deps.entries().find((e) => e.id === id);
    if (entry?.run) {
      entry.run();
      return render(visibleItems(menu).indexOf(el));
    }
    show(id, -1);
  };
  bindMenu({ button, menu, signal, view: () => view, show, close, activate });
  return {
    get open() {
      return view !== null;
    },
    refresh() {
      if (view === null) return;
      const focused = menu.contains(document.activeElement)
        ? visibleItems(menu).indexOf(document.activeElement as HTMLElement)
        : null;
      render(focused);
    },
    close,
    destroy: () => close(),
  };
}

interface MenuBinding {
  button: HTMLButtonElement;
  menu: HTMLElement;
  signal: AbortSignal;
  view(): string | null;
  show(view: string, focus: number): void;
  close(focusButton?: boolean): void;
  activate(el: HTMLElement): void;
}

function bindMenu({ button, menu, signal, view, show, close, activate }: MenuBinding): void {
  button.addEventListener("click", () => (view() === null ? show("main", 0) : close(true)), { signal });
  menu.addEventListener(
    "click",
    (event) => {
      const el = (event.target as Element).closest<HTMLElement>("[role^='menuitem']");
      if (el) activate(el);
    },
    { signal },
  );
  menu.addEventListener(
    "keydown",
    (event) => {
      if (moveFocus(menu, event.key)) return event.preventDefault();
      const sub = view() !== "main";
      if (event.key === "Escape" || (event.key === "ArrowLeft" && sub)) {
        event.preventDefault();
        event.stopPropagation();
        return sub ? show("main", 0) : close(true);
      }
      if (event.key === "ArrowRight" && !sub && document.activeElement instanceof HTMLElement) {
        event.preventDefault();
        return activate(document.activeElement);
      }
      if (event.key === "Tab") close();
    },
    { signal },
  );
  document.addEventListener(
    "pointerdown",
    (event) => {
      const target = event.target as Node;
      if (view() !== null && !menu.contains(target) && !button.contains(target)) close();
    },
    { signal },
  );
}
