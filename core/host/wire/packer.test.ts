import parse from "@xmpp/xml/lib/parse.js";
import type { Element } from "@xmpp/xml";
import { describe, expect, test } from "vitest";
import { Event } from "../../sdk/event.js";
import { compactXml } from "./compact.js";
import { decodeMessage } from "./message.js";
import { EventTooLargeError, MessagePacker, packEvents } from "./packer.js";
import { randomEvent, seededRandom } from "./random-events.js";

const ROOM = "raw@conference.example.com";
const ENVELOPE = `<message type="groupchat" to="${ROOM}"></message>`.length;

function wireBytes(message: Element): number {
  return Buffer.byteLength(message.toString(), "utf8");
}

function decodeAll(messages: Element[]): Event[] {
  return messages.flatMap((message) => decodeMessage(parse(message.toString())));
}

/** An event whose compact form is exactly `bytes` long (58 + a multiple of 4). */
function eventOfSize(bytes: number, tag: string): Event {
  // <e ...><k a="dA=="><v a="..."/></k></e>: base64 of n bytes is 4*ceil(n/3) chars.
  const fixed = compactXml(new Event({ t: "" })).length;
  const event = new Event({ t: tag.padEnd(((bytes - fixed) / 4) * 3, "x") });
  expect(compactXml(event).length).toBe(bytes);
  return event;
}

describe("packEvents", () => {
  test.each([400, 1000, 4096])(
    "random events: every message within %i bytes, nothing lost, order kept",
    (budgetBytes) => {
      const random = seededRandom(budgetBytes);
      const events = Array.from({ length: 400 }, () => randomEvent(random, 4));
      const { messages, tooLarge } = packEvents(events, { budgetBytes, to: ROOM });
      expect(messages.length).toBeGreaterThan(1);
      for (const message of messages) expect(wireBytes(message)).toBeLessThanOrEqual(budgetBytes);
      const kept = events.filter((e) => !tooLarge.includes(e));
      expect(decodeAll(messages).map((e) => e.toJSON())).toEqual(kept.map((e) => e.toJSON()));
      for (const event of tooLarge) {
        expect(ENVELOPE + compactXml(event).length).toBeGreaterThan(budgetBytes);
      }
    },
  );

  test("fills each message up to the budget exactly, then starts the next", () => {
    const events = Array.from({ length: 7 }, (_, i) => eventOfSize(102, `e${i}`));
    const budgetBytes = ENVELOPE + 3 * 102;
    const { messages } = packEvents(events, { budgetBytes, to: ROOM });
    expect(messages.map((m) => decodeMessage(m).length)).toEqual([3, 3, 1]);
    expect(messages.map(wireBytes)).toEqual([budgetBytes, budgetBytes, ENVELOPE + 102]);
  });

  test("reports an event too large for any message instead of sending it", () => {
    const small = new Event({ ip: "192.0.2.1" });
    const huge = new Event({ description: "x".repeat(2000) });
    const { messages, tooLarge } = packEvents([small, huge, small], {
      budgetBytes: 1000,
      to: ROOM,
    });
    expect(tooLarge).toEqual([huge]);
    expect(messages).toHaveLength(1);
    expect(decodeAll(messages).map((e) => e.value("ip"))).toEqual(["192.0.2.1", "192.0.2.1"]);
  });

  test("keeps room for attributes the caller adds later", () => {
    const events = Array.from({ length: 4 }, (_, i) => eventOfSize(102, `e${i}`));
    const budgetBytes = ENVELOPE + 2 * 102 + 20;
    const { messages } = packEvents(events, { budgetBytes, to: ROOM, reserveBytes: 21 });
    expect(messages.map((m) => decodeMessage(m).length)).toEqual([1, 1, 1, 1]);
    for (const message of messages) {
      message.attrs["id"] = "0123456789"; // ' id="0123456789"' is 16 bytes
      expect(wireBytes(message)).toBeLessThanOrEqual(budgetBytes);
    }
  });
});

describe("MessagePacker", () => {
  test("hands out a message only when the next event does not fit, and on flush", () => {
    const packer = new MessagePacker({ budgetBytes: ENVELOPE + 2 * 102, to: ROOM });
    const [a, b, c] = [eventOfSize(102, "a"), eventOfSize(102, "b"), eventOfSize(102, "c")];
    expect(packer.add(a)).toEqual([]);
    expect(packer.add(b)).toEqual([]);
    expect(packer.pendingBytes).toBe(ENVELOPE + 204);
    const [full, ...none] = packer.add(c);
    expect(none).toEqual([]);
    expect(full === undefined ? [] : decodeMessage(full)).toEqual([a, b]);
    expect(packer.pendingEvents).toBe(1);
    expect(decodeMessage(packer.flush() ?? parse("<none/>"))).toEqual([c]);
    expect(packer.flush()).toBeUndefined();
    expect(packer.pendingBytes).toBe(0);
  });

  test("throws EventTooLargeError without onTooLarge and keeps what it holds", () => {
    const packer = new MessagePacker({ budgetBytes: 500, to: ROOM });
    const small = new Event({ ip: "192.0.2.1" });
    packer.add(small);
    const huge = new Event({ description: "x".repeat(600) });
    expect(() => packer.add(huge)).toThrow(EventTooLargeError);
    expect(() => packer.add(huge)).toThrow(/needs \d+ bytes in a message, over the budget of 500/);
    expect(decodeMessage(packer.flush() ?? parse("<none/>"))).toEqual([small]);
  });

  test("rejects a budget too small for any event, naming the option", () => {
    expect(() => new MessagePacker({ budgetBytes: 60, to: ROOM })).toThrow(
      /option `budgetBytes` must be an integer >= \d+ for room raw@conference\.example\.com/,
    );
    expect(() => new MessagePacker({ budgetBytes: 1000, to: "" })).toThrow(/option `to`/);
  });

  test("counts a multi-byte room name in bytes, not characters", () => {
    const to = "ränni@conference.example.com";
    const envelope = Buffer.byteLength(`<message type="groupchat" to="${to}"></message>`);
    const packer = new MessagePacker({ budgetBytes: envelope + 102, to });
    packer.add(eventOfSize(102, "a"));
    expect(packer.add(eventOfSize(102, "b"))).toHaveLength(1);
    const last = packer.flush();
    expect(last && wireBytes(last)).toBe(envelope + 102);
  });
});
