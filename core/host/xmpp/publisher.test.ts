import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { describe, expect, it, onTestFinished } from "vitest";
import type { Element } from "@xmpp/xml";
import { Event } from "../../sdk/event.js";
import { decodeMessage } from "../wire/index.js";
import { FakeLink } from "./fake-link.js";
import { IqCaller } from "./iq.js";
import { Muc } from "./muc.js";
import { journalDir } from "./outbox.js";
import { Publisher, type PublisherOptions } from "./publisher.js";
import { NS_HINTS, NS_SID } from "./stamp.js";

const log = pino({ level: "silent" });
const ROOM = "raw@rooms.localhost";

function setup(opts: Partial<PublisherOptions> = {}, link = new FakeLink()) {
  const muc = new Muc({
    connection: link,
    iq: new IqCaller(link),
    service: "rooms.localhost",
    nick: "bot",
    log,
  });
  const publisher = new Publisher({ link, muc, log, lingerMs: 1, ...opts });
  publisher.start();
  muc.join("raw").catch(() => {}); // the room our tests publish to; online() confirms the join
  return { link, muc, publisher };
}

/** Go online and let the room confirm our join. */
function online(link: FakeLink): void {
  link.up();
  link.push(
    `<presence from="${ROOM}/bot"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant"/><status code="110"/></x></presence>`,
  );
}

/** What the room does with our message: send it back to every occupant, us included. */
function reflect(link: FakeLink, message: Element): void {
  const copy = message.toString().replace(/^<message /, `<message from="${ROOM}/bot" `);
  link.push(copy);
}

const messages = (link: FakeLink) => link.take().filter((s) => s.name === "message");
const ev = (i: number) => new Event({ ip: `192.0.2.${i % 256}`, n: String(i) });
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe("Publisher", () => {
  it("batches compact events into messages under the byte budget, each with id and origin-id", async () => {
    const { link, publisher } = setup({ budgetBytes: 4096 });
    online(link);
    link.take();
    for (let i = 0; i < 200; i++) await publisher.publish("raw", ev(i));
    publisher.flush();
    const sent = messages(link);
    expect(sent.length).toBeGreaterThan(3);
    for (const m of sent) {
      expect(m.toString().length).toBeLessThanOrEqual(4096);
      expect(m.attrs).toMatchObject({ to: ROOM, type: "groupchat" });
      expect(m.getChild("origin-id", NS_SID)?.attrs.id).toBe(m.attrs.id);
      expect(m.getChild("store", NS_HINTS)).toBeDefined(); // archived although it has no body
    }
    const got = sent.flatMap((m) => decodeMessage(m));
    expect(got.map((e) => e.value("n"))).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    expect(publisher.counters()[ROOM]).toMatchObject({
      eventsOut: 200,
      messagesOut: sent.length,
      inFlight: 200,
    });
  });

  it("sends one event per message with a readable body in legacy form", async () => {
    const { link, publisher } = setup({ rooms: { raw: { form: "legacy" } } });
    online(link);
    link.take();
    await publisher.publish("raw", new Event({ ip: "192.0.2.1", type: "scanner" }));
    const [m] = messages(link);
    expect(m?.getChildText("body")).toBe("ip=192.0.2.1, type=scanner");
    expect(m?.getChild("event", "abusehelper#event")).toBeDefined();
  });

  it("counts a message delivered when the room reflects it, and drains", async () => {
    const { link, publisher } = setup();
    online(link);
    for (let i = 0; i < 10; i++) await publisher.publish("raw", ev(i));
    const drained = publisher.drain();
    for (const m of messages(link)) reflect(link, m);
    await drained;
    expect(publisher.inFlight).toBe(0);
    expect(publisher.counters()[ROOM]?.inFlight).toBe(0);
  });

  it("makes publish() wait while the in-flight window is full", async () => {
    const { link, publisher } = setup({ window: 3 });
    online(link);
    for (let i = 0; i < 3; i++) await publisher.publish("raw", ev(i));
    publisher.flush();
    let fourth = false;
    const pending = publisher.publish("raw", ev(3)).then(() => (fourth = true));
    await tick();
    expect(fourth).toBe(false);
    for (const m of messages(link)) reflect(link, m);
    await pending;
    expect(fourth).toBe(true);
  });

  it("accepts while offline and re-sends what was not reflected after reconnect and rejoin", async () => {
    const { link, publisher } = setup();
    online(link);
    await publisher.publish("raw", ev(1));
    publisher.flush();
    const [first] = messages(link);
    link.down();
    await publisher.publish("raw", ev(2)); // accepted while offline
    publisher.flush();
    expect(messages(link)).toEqual([]);
    online(link);
    const again = messages(link);
    expect(again.map((m) => m.attrs.id)).toContain(first?.attrs.id);
    expect(again.flatMap((m) => decodeMessage(m)).map((e) => e.value("n"))).toEqual(["1", "2"]);
    expect(publisher.counters()[ROOM]).toMatchObject({ resent: 1, inFlight: 2 });
  });

  it("spools accepted events so a new process sends what the old one had not delivered", async () => {
    const dir = mkdtempSync(join(tmpdir(), "outbox-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const spoolFile = join(dir, "outbox.jsonl");
    const old = setup({ spoolFile });
    online(old.link);
    for (let i = 0; i < 5; i++) await old.publisher.publish("raw", ev(i));
    old.publisher.flush();
    expect(messages(old.link)).toHaveLength(1); // sent, never reflected
    old.link.down();
    for (let i = 5; i < 7; i++) await old.publisher.publish("raw", ev(i));
    const journal = journalDir(spoolFile);
    const lines = readdirSync(journal).map((f) => readFileSync(join(journal, f), "utf8"));
    expect(lines.join("").trim().split("\n")).toHaveLength(7);
    // The process dies here without stopping cleanly.

    const next = setup({ spoolFile });
    expect(next.publisher.inFlight).toBe(7);
    online(next.link);
    const resent = messages(next.link).flatMap((m) => decodeMessage(m));
    expect(resent.map((e) => e.value("n"))).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
  });

  it("forgets a message the room refuses for good, and counts it", async () => {
    const { link, publisher } = setup();
    online(link);
    await publisher.publish("raw", ev(1));
    publisher.flush();
    const [m] = messages(link);
    link.push(
      `<message from="${ROOM}" type="error" id="${m?.attrs.id}"><error type="modify"><policy-violation xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>`,
    );
    expect(publisher.inFlight).toBe(0);
    expect(publisher.counters()[ROOM]?.rejected).toBe(1);
  });

  it("hands the events of a refused message to onDead, with the room and the reason", async () => {
    const dead: [string, string, string][] = [];
    const onDead = (e: Event, room: string, why: string) =>
      void dead.push([e.value("n") ?? "", room, why]);
    const { link, publisher } = setup({ onDead });
    online(link);
    for (const i of [1, 2]) await publisher.publish("raw", ev(i));
    publisher.flush();
    const [m] = messages(link);
    link.push(
      `<message from="${ROOM}" type="error" id="${m?.attrs.id}"><error type="auth"><forbidden xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>`,
    );
    const why = "the room refused the message: forbidden";
    expect(dead).toEqual([
      ["1", ROOM, why],
      ["2", ROOM, why],
    ]);
    expect(publisher.inFlight).toBe(0);
  });

  it("hands a spooled event over a lowered budget to onDead and sends the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "outbox-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const spoolFile = join(dir, "outbox.jsonl");
    const old = setup({ spoolFile });
    await old.publisher.publish("raw", new Event({ n: "big", note: "x".repeat(3000) }));
    await old.publisher.publish("raw", ev(2));
    const dead: string[] = [];
    const next = setup({
      spoolFile,
      budgetBytes: 2048,
      onDead: (e, _r, why) => void dead.push(`${e.value("n")}: ${why}`),
    });
    expect(dead).toEqual([
      expect.stringMatching(
        /^big: event [0-9a-f]+ needs \d+ bytes in a message, over the budget of 2048/,
      ),
    ]);
    online(next.link);
    next.publisher.flush();
    expect(
      messages(next.link)
        .flatMap((m) => decodeMessage(m))
        .map((e) => e.value("n")),
    ).toEqual(["2"]);
  });
});
