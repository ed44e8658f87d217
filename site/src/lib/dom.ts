/**
 * Markup-to-script wiring. Page scripts find their elements once, at mount, through
 * `requireElement`: a missing or mistyped element stops the script there with a message
 * naming the page and the selector ("upload page: missing [data-role="file-input"]"),
 * instead of a `null` that breaks much later, far from the markup that changed.
 */

/** What `requireElement` searches: an element, a document or a fragment (a cloned template). */
export interface ElementRoot {
  querySelector(selectors: string): Element | null;
}

/** A DOM class to check the found element against (`HTMLInputElement`, `HTMLDialogElement`, …). */
// biome-ignore lint/suspicious/noExplicitAny: DOM constructors take no arguments we call; only `instanceof` is used.
export type ElementType<T extends Element> = abstract new (...args: any[]) => T;

/** `[data-role="name"]`, the hook page scripts use for the elements they drive. */
export function role(name: string): string {
  return `[data-role="${name}"]`;
}

/**
 * The first element under `root` matching `selector`, checked to be a `type`; throws
 * `Error("<where>: missing <selector>")` when there is none, or names both types when it is
 * another kind of element.
 */
export function requireElement<T extends Element = HTMLElement>(
  root: ElementRoot,
  selector: string,
  type: ElementType<T> = HTMLElement as unknown as ElementType<T>,
  where = "page",
): T {
  const found = root.querySelector(selector);
  if (!found) throw new Error(`${where}: missing ${selector}`);
  if (!(found instanceof type)) {
    throw new Error(`${where}: ${selector} is a <${found.tagName.toLowerCase()}>, not a ${type.name}`);
  }
  return found;
}

/** `requireElement` bound to one root and one name for messages: `const $ = elementsOf(root, "upload page")`. */
export function elementsOf(root: ElementRoot, where: string) {
  return <T extends Element = HTMLElement>(selector: string, type?: ElementType<T>): T =>
    requireElement(root, selector, type, where);
}
