import { xml } from "@xmpp/xml";
import parse from "@xmpp/xml/lib/parse.js";
import { describe, expect, test } from "vitest";
import { SerializedElement } from "./serialized-element.js";

const INNER =
  '<e xmlns="abusehelper#event"><k a="YQ=="><v a="Yg=="/></k></e><body>a &amp; b</body>';

describe("SerializedElement", () => {
  test("serializes like the same tree built with xml()", () => {
    const built = xml("message", { type: "groupchat", to: "room@example.com" });
    for (const child of parse(`<x>${INNER}</x>`).children) built.append(child);
    const element = new SerializedElement("message", built.attrs, INNER);
    expect(element.toString()).toBe(built.toString());
  });

  test("writes an element without content as self-closing", () => {
    expect(new SerializedElement("event", { xmlns: "abusehelper#event" }, "").toString()).toBe(
      '<event xmlns="abusehelper#event"/>',
    );
  });

  test("offers its children as real elements in the right namespace", () => {
    const element = new SerializedElement("message", { type: "groupchat" }, INNER);
    const e = element.getChild("e", "abusehelper#event");
    expect(e?.getChild("k")?.getChild("v")?.attrs["a"]).toBe("Yg==");
    expect(e?.parent).toBe(element);
    expect(element.getChildText("body")).toBe("a & b");
  });

  test("keeps later changes to attributes and children in its output", () => {
    const element = new SerializedElement("message", { type: "groupchat" }, INNER);
    element.attrs["id"] = "m-1";
    expect(element.toString()).toContain('<message type="groupchat" id="m-1">');
    element.c("request", { xmlns: "urn:xmpp:receipts" });
    expect(element.toString()).toMatch(/<\/body><request xmlns="urn:xmpp:receipts"\/><\/message>$/);
  });

  test("serializes correctly as the child of an ordinary element", () => {
    const inner = new SerializedElement("e", { xmlns: "abusehelper#event" }, '<k a="YQ=="/>');
    const outer = xml("message", {}, inner);
    expect(outer.toString()).toBe(
      '<message><e xmlns="abusehelper#event"><k a="YQ=="/></e></message>',
    );
  });
});
