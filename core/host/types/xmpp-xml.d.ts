// @xmpp/xml (and ltx beneath it) ship no types; this is the part of their surface core uses.
declare module "@xmpp/xml" {
  export type Attrs = Record<string, string | number | undefined>;
  export type Node = Element | string;

  export class Element {
    constructor(name: string, attrs?: Attrs);
    name: string;
    attrs: Record<string, string>;
    children: Node[];
    parent: Element | null;
    is(name: string, xmlns?: string): boolean;
    getName(): string;
    getNS(): string | undefined;
    getAttr(name: string): string | undefined;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getText(): string;
    getChildText(name: string, xmlns?: string): string | null;
    append(...nodes: Node[]): this;
    c(name: string, attrs?: Attrs): Element;
    t(text: string): this;
    up(): Element;
    root(): Element;
    toString(): string;
    /** Serialize through `writer` chunk by chunk (ltx Element#write; toString uses it). */
    write(writer: (chunk: string) => void): void;
  }

  export class Parser {
    write(data: string | Buffer): void;
    end(data?: string | Buffer): void;
    on(event: "start" | "element" | "end", fn: (el: Element) => void): this;
    on(event: "error", fn: (err: Error) => void): this;
  }

  export class XMLError extends Error {}
  export function escapeXML(s: string): string;
  export function unescapeXML(s: string): string;
  export function escapeXMLText(s: string): string;
  export function xml(name: string, attrs?: Attrs | null, ...children: (Node | Node[])[]): Element;
  export function createElement(
    name: string,
    attrs?: Attrs | null,
    ...children: (Node | Node[])[]
  ): Element;
  export default xml;
}

declare module "@xmpp/xml/lib/parse.js" {
  import type { Element } from "@xmpp/xml";
  /** Parse one XML document into an element tree; throws on malformed XML. */
  export default function parse(data: string): Element;
}
