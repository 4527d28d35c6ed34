import { describe, expect, it } from "vitest";
import { xml } from "@xmpp/xml";
import parse from "@xmpp/xml/lib/parse.js";
import { Event } from "../../sdk/event.js";
import { decodeMessage, encodeMessage } from "../wire/index.js";
import { NS_HINTS, NS_SID, reflectedId, stampMessage } from "./stamp.js";

describe("stampMessage", () => {
  it("adds id, origin-id and the store hint to a serialized message without parsing it", () => {
    const event = new Event({ ip: "192.0.2.1" });
    const message = encodeMessage("raw@rooms.localhost", [event], { form: "compact" });
    const out = parse(stampMessage(message, "m-1").toString());
    expect(out.attrs).toMatchObject({ id: "m-1", to: "raw@rooms.localhost", type: "groupchat" });
    expect(out.getChild("origin-id", NS_SID)?.attrs.id).toBe("m-1");
    expect(out.getChild("store", NS_HINTS)).toBeDefined();
    expect(decodeMessage(out).map((e) => e.id())).toEqual([event.id()]);
  });

  it("stamps an ordinary element too, and leaves out the hint when asked", () => {
    const out = stampMessage(
      xml("message", { to: "r@x", type: "groupchat" }, xml("body", {}, "hi")),
      "m-2",
      false,
    );
    expect(out.attrs.id).toBe("m-2");
    expect(out.getChild("origin-id", NS_SID)?.attrs.id).toBe("m-2");
    expect(out.getChild("store", NS_HINTS)).toBeUndefined();
  });
});

describe("reflectedId", () => {
  it("prefers the origin-id over a stanza id the service may have rewritten", () => {
    const m = parse(`<message id="server-7"><origin-id xmlns="${NS_SID}" id="ours"/></message>`);
    expect(reflectedId(m)).toBe("ours");
    expect(reflectedId(parse(`<message id="plain"/>`))).toBe("plain");
  });
});
