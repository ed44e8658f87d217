import { describe, expect, it } from "vitest";
import { descriptionParts, type NodeFactory, renderDescription, startTimeOf } from "./linked-text.ts";

/**
 * A stand-in document that records what the renderer builds. It has no HTML parser at all:
 * the renderer can only build nodes, so anything that looks like markup must arrive as text.
 */
class FakeNode {
  children: FakeNode[] = [];
  dataset: Record<string, string> = {};
  textContent = "";
  href = "";
  rel = "";
  target = "";
  className = "";
  constructor(readonly tagName: string) {}
  append(...nodes: FakeNode[]) {
    this.children.push(...nodes);
  }
  get innerHTML(): string {
    throw new Error("the renderer must not use innerHTML");
  }
  set innerHTML(_: string) {
    throw new Error("the renderer must not use innerHTML");
  }
}

const fakeDocument = {
  createElement: (tag: string) => new FakeNode(tag.toUpperCase()),
  createTextNode: (text: string) => Object.assign(new FakeNode("#text"), { textContent: text }),
  createDocumentFragment: () => new FakeNode("#fragment"),
} as unknown as NodeFactory;

const render = (text: string) => renderDescription(fakeDocument, text) as unknown as FakeNode;
const textOf = (node: FakeNode): string =>
  node.tagName === "#text"
    ? node.textContent
    : node.children.length
      ? node.children.map(textOf).join("")
      : node.textContent;

describe("description rendering", () => {
  it("makes http(s) addresses links that open apart and carry no referrer trust", () => {
    const out = render(
      "Gear list: https://example.com/kit?a=1&b=2. More at http://x.org/(a) (see http://y.org/b)",
    );
    const links = out.children.filter((n) => n.tagName === "A");
    expect(links.map((a) => a.href)).toEqual([
      "https://example.com/kit?a=1&b=2",
      "http://x.org/(a)",
      "http://y.org/b",
    ]);
    expect(links.every((a) => a.rel === "noopener nofollow ugc" && a.target === "_blank")).toBe(true);
    // The sentence's full stop stays text.
    expect(textOf(out)).toBe(
      "Gear list: https://example.com/kit?a=1&b=2. More at http://x.org/(a) (see http://y.org/b)",
    );
  });

  it("never links other schemes", () => {
    const parts = descriptionParts("javascript:alert(1) data:text/html,<b>x</b> ftp://host/file");
    expect(parts).toEqual([
      { kind: "text", text: "javascript:alert(1) data:text/html,<b>x</b> ftp://host/file" },
    ]);
  });

  it("turns timestamps into seek links with ?t=", () => {
    const out = render("Best part at 1:23 and 1:02:03.");
    const times = out.children.filter((n) => n.tagName === "A");
    expect(times.map((a) => [a.href, a.dataset.seek, a.textContent])).toEqual([
      ["?t=83", "83", "1:23"],
      ["?t=3723", "3723", "1:02:03"],
    ]);
    expect(times.every((a) => a.className === "timestamp" && a.target === "")).toBe(true);
  });

  it("keeps script and HTML as visible text", () => {
    const hostile =
      '<script>alert(1)</script><img src=x onerror="alert(2)"> 0:05 <a href="javascript:x">y</a>';
    const out = render(hostile);
    expect(out.children.map((n) => n.tagName)).toEqual(["#text", "A", "#text"]);
    expect(out.children[0]!.textContent).toBe('<script>alert(1)</script><img src=x onerror="alert(2)"> ');
    expect(textOf(out)).toBe(hostile);
  });

  it("does not mistake times inside addresses or longer numbers for timestamps", () => {
    const parts = descriptionParts("https://example.com/at/1:23 and 12:34:56:78");
    expect(parts.map((p) => p.kind)).toEqual(["link", "text"]);
  });
});

describe("?t= start time", () => {
  it.each([
    ["?t=83", 83],
    ["?t=1m23s", 83],
    ["?t=1h", 3600],
    ["?t=1:23", 83],
    ["?v=1&t=0", 0],
    ["", null],
    ["?t=soon", null],
  ])("%s → %s", (search, sec) => {
    expect(startTimeOf(search)).toBe(sec);
  });
});
