import { Element, escapeXML, type Attrs, type Node } from "@xmpp/xml";
import parse from "@xmpp/xml/lib/parse.js";

/**
 * An Element whose children stay as ready-made XML text until someone looks at them.
 *
 * Building an ltx tree per event and serializing it again costs far more than producing the
 * text directly (the runtime wants 50k+ events/s), yet callers get a real Element: the first
 * read of `children` (getChildren, append, ...) parses the text into ordinary child elements,
 * and from then on the element serializes like any other, so later edits are never lost.
 * Attributes are always live.
 */
export class SerializedElement extends Element {
  #inner: string | undefined;

  /** `inner` is the serialized content (well-formed XML, "" for none, as ltx's clone() gives). */
  constructor(name: string, attrs?: Attrs, inner = "") {
    super(name, attrs);
    this.#inner = inner;
    Object.defineProperty(this, "children", {
      configurable: true,
      enumerable: true,
      get: (): Node[] => this.#materialize(),
      set: (children: Node[]) => this.#setChildren(children),
    });
  }

  /** Whether the children are still held as text (nothing has read or changed them). */
  get isSerialized(): boolean {
    return this.#inner !== undefined;
  }

  override write(writer: (chunk: string) => void): void {
    if (this.#inner === undefined) {
      super.write(writer);
      return;
    }
    writer(this.toString());
  }

  override toString(): string {
    const inner = this.#inner;
    if (inner === undefined) return super.toString();
    const open = startTag(this.name, this.attrs);
    return inner === "" ? `${open}/>` : `${open}>${inner}</${this.name}>`;
  }

  #materialize(): Node[] {
    const inner = this.#inner ?? "";
    const children = inner === "" ? [] : parse(`<x>${inner}</x>`).children;
    for (const child of children) if (typeof child !== "string") child.parent = this;
    this.#setChildren(children);
    return children;
  }

  #setChildren(children: Node[]): void {
    this.#inner = undefined;
    Object.defineProperty(this, "children", {
      configurable: true,
      enumerable: true,
      writable: true,
      value: children,
    });
  }
}

/** `<name a="v"...` without the closing `>`, escaped the way ltx escapes attributes. */
export function startTag(
  name: string,
  attrs: Readonly<Record<string, string | number | null | undefined>>,
): string {
  let out = `<${name}`;
  for (const key in attrs) {
    const value = attrs[key];
    if (value === undefined || value === null) continue;
    out += ` ${key}="${escapeXML(String(value))}"`;
  }
  return out;
}
