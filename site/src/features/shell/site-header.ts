/**
 * The site header (components/site-header.astro): on phones the search box is an icon that
 * opens it over the bar (Esc or the back arrow folds it again); an empty search stays on the
 * page instead of loading /search with nothing to find. Mounts the account menu.
 */
import { elementsOf, role } from "../../lib/dom.ts";
import { mountAccountMenu } from "./account-menu.ts";

export function mountSiteHeader(header: HTMLElement): void {
  const $ = elementsOf(header, "site header");
  const form = $(role("search-form"), HTMLFormElement);
  const input = $(role("search-input"), HTMLInputElement);
  const openButton = $(role("search-open"), HTMLButtonElement);
  const closeButton = $(role("search-close"), HTMLButtonElement);

  const setOpen = (open: boolean) => {
    header.dataset.search = open ? "open" : "closed";
    openButton.setAttribute("aria-expanded", String(open));
    if (open) input.focus();
    else openButton.focus();
  };
  openButton.addEventListener("click", () => setOpen(true));
  closeButton.addEventListener("click", () => setOpen(false));
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.dataset.search === "open") {
      event.preventDefault();
      setOpen(false);
    }
  });
  form.addEventListener("submit", (event) => {
    if (!input.value.trim()) {
      event.preventDefault();
      input.focus();
    }
  });

  mountAccountMenu($(role("account")));
}
