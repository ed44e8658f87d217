import { describe, expect, it } from "vitest";
import { elementsOf, requireElement, role } from "./dom.ts";

// The unit tests run in Node: stand-ins for DOM classes are enough, only `instanceof` is used.
class FakeElement {
  constructor(readonly tagName: string) {}
}
class FakeInput extends FakeElement {}
class FakeButton extends FakeElement {}

function rootWith(elements: Record<string, FakeElement>) {
  return {
    querySelector: (selector: string) => (elements[selector] ?? null) as unknown as Element | null,
  };
}

describe("requireElement", () => {
  const input = new FakeInput("INPUT");
  const root = rootWith({ "#file-input": input, [role("start")]: new FakeButton("BUTTON") });

  it("returns the element when it is there and of the expected type", () => {
    expect(requireElement(root, "#file-input", FakeInput as never, "upload page")).toBe(input);
  });

  it("fails loudly, naming the page and the selector, when the element is missing", () => {
    expect(() => requireElement(root, "#title-input", FakeInput as never, "upload page")).toThrow(
      new Error("upload page: missing #title-input"),
    );
  });

  it("fails when the element is another kind than the script expects", () => {
    expect(() => requireElement(root, role("start"), FakeInput as never, "upload page")).toThrow(
      new Error('upload page: [data-role="start"] is a <button>, not a FakeInput'),
    );
  });

  it("binds a root and a name once for a whole page", () => {
    const $ = elementsOf(root, "studio page");
    expect($("#file-input", FakeInput as never)).toBe(input);
    expect(() => $(role("list"), FakeInput as never)).toThrow('studio page: missing [data-role="list"]');
  });
});
