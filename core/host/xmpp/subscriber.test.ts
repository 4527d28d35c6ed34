import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { Event } from "../../sdk/event.js";
import { encodeMessage } from "../wire/index.js";
import { FakeLink } from "./fake-link.js";
import { IqCaller } from "./iq.js";
import { Muc } from "./muc.js";
import { Subscriber } from "./subscriber.js";

const ROOM = "raw@rooms.localhost";

async function setup(skipOwn = false) {
  const log = pino({ level: "silent" });
  const warn = vi.spyOn(log, "warn");
  const link = new FakeLink();
  link.up();
  const muc = new Muc({
    connection: link,
    iq: new IqCaller(link),
    service: "rooms.localhost",
    nick: "bot",
    log,
  });
  const got: Event[] = [];
  const sub = new Subscriber({ muc, log, skipOwn, onEvents: (events) => void got.push(...events) });
  const joined = sub.subscribe("raw");
  link.push(
    `<presence from="${ROOM}/bot"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant"/><status code="110"/></x></presence>`,
  );
  await joined;
  /** A groupchat message from `nick` carrying `inner`. */
  const from = (nick: string, inner: string) =>
    link.push(`<message from="${ROOM}/${nick}" type="groupchat" id="x">${inner}</message>`);
  return { link, sub, got, warn, from };
}

const one = new Event({ ip: "192.0.2.1" });
const two = new Event({ ip: "192.0.2.2", type: "scanner" });
const inner = (s: string) => s.replace(/^<message[^>]*>/, "").replace(/<\/message>$/, "");

describe("Subscriber", () => {
  it("decodes every event of both forms in a message", async () => {
    const { sub, got, from } = await setup();
    from("feeder", inner(encodeMessage(ROOM, [one, two], { form: "compact" }).toString()));
    from("legacy", inner(encodeMessage(ROOM, [two], { form: "legacy" }).toString()));
    expect(got.map((e) => e.id())).toEqual([one.id(), two.id(), two.id()]);
    expect(sub.counters()[ROOM]).toEqual({ eventsIn: 3, malformed: 0 });
  });

  it("counts malformed stanzas, logs the first only, and keeps going", async () => {
    const { sub, got, warn, from } = await setup();
    from("evil", `<e xmlns="abusehelper#event"><k a="!!!"/></e>`);
    from("evil", `<e xmlns="abusehelper#event"><junk/></e>`);
    from("evil", `<bogus xmlns="abusehelper#event"/>`);
    from("feeder", inner(encodeMessage(ROOM, [one], { form: "compact" }).toString()));
    expect(got.map((e) => e.id())).toEqual([one.id()]);
    expect(sub.counters()[ROOM]).toEqual({ eventsIn: 1, malformed: 3 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatchObject({ room: ROOM, nick: "evil" });
  });

  it("ignores chat without events and, when asked, our own reflected output", async () => {
    const { sub, got, from } = await setup(true);
    from("alice", "<body>hello</body>");
    from("bot", inner(encodeMessage(ROOM, [one], { form: "compact" }).toString()));
    expect(got).toEqual([]);
    expect(sub.counters()[ROOM]).toEqual({ eventsIn: 0, malformed: 0 });
  });

  it("survives a handler that throws", async () => {
    const log = pino({ level: "silent" });
    const link = new FakeLink();
    link.up();
    const muc = new Muc({
      connection: link,
      iq: new IqCaller(link),
      service: "rooms.localhost",
      nick: "bot",
      log,
    });
    const sub = new Subscriber({
      muc,
      log,
      onEvents: () => {
        throw new Error("boom");
      },
    });
    const joined = sub.subscribe("raw");
    link.push(
      `<presence from="${ROOM}/bot"><x xmlns="http://jabber.org/protocol/muc#user"><status code="110"/></x></presence>`,
    );
    await joined;
    const msg = encodeMessage(ROOM, [one], { form: "compact" })
      .toString()
      .replace("<message ", `<message from="${ROOM}/a" `);
    expect(() => link.push(msg)).not.toThrow();
    expect(sub.counters()[ROOM]?.eventsIn).toBe(1);
  });
});
