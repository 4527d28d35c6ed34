// The XMPP layer end to end on real servers: publisher → room → subscriber, both wire forms,
// component mode, a server restart mid-stream, malformed stanzas, nick conflicts, throughput.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { xml } from "@xmpp/xml";
import parse from "@xmpp/xml/lib/parse.js";
import { Event } from "../../core/sdk/event.js";
import type { ManagedServer } from "../../core/host/server/managed-server.js";
import { startProsody } from "../../core/host/server/prosody.js";
import { decodeMessage } from "../../core/host/wire/index.js";
import {
  createXmppStack,
  queryArchive,
  Subscriber,
  type ConnectionLogin,
  type XmppStack,
  type XmppStackOptions,
} from "../../core/host/xmpp/index.js";
import { startEjabberd } from "../harness/ejabberd.js";

const log = pino({ level: process.env.LOG_LEVEL ?? "silent" });
const PASSWORD = "mesh-test-pw";
const COMPONENT = { domain: "bots.localhost", secret: "component-secret" };
const USERS = ["pub", "sub", "raw", "twin", "speed", "speedsub"];

const starters: Record<string, (dir: string) => Promise<ManagedServer>> = {
  prosody: (dir) => startProsody({ dir, components: [COMPONENT], logger: log }),
  ejabberd: (dir) => startEjabberd({ dir, components: [COMPONENT], logger: log }),
};

/** A varied event: several keys, a multi-valued one, non-ASCII and XML-special text. */
function sample(i: number, tag: string): Event {
  return new Event({
    ip: `198.51.100.${i % 256}`,
    asn: String(64496 + (i % 16)),
    "malware family": ["mirai", `variant ${i % 7}`],
    description: `scan #${i} <&> "quoted" ünïcødé ✓ 🛰`,
    feed: tag,
    n: String(i),
  });
}

/** Collects events by id, as a receiver that dedups would. */
class Collector {
  readonly events = new Map<string, Event>();
  add(events: Event[]): void {
    for (const e of events) this.events.set(e.id(), e);
  }
  /** Wait until every id arrived (the test's own timeout bounds it). */
  async waitFor(ids: Iterable<string>, timeout = 90_000): Promise<void> {
    const want = [...ids];
    await vi.waitFor(
      () => {
        const missing = want.filter((id) => !this.events.has(id)).length;
        if (missing > 0) throw new Error(`${missing} of ${want.length} events missing`);
      },
      { timeout, interval: 20 },
    );
  }
}

describe.each(Object.keys(starters))("XMPP layer on %s", (kind) => {
  let server: ManagedServer;
  let dir: string;
  const stacks: XmppStack[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `xmpp-${kind}-`));
    await chmod(dir, 0o755); // ejabberd runs as its own user and must reach its dir below
    const start = starters[kind];
    if (start === undefined) throw new Error(kind);
    server = await start(join(dir, "server"));
    for (const user of USERS) await server.register(user, PASSWORD);
  });

  afterEach(async () => {
    await Promise.all(stacks.splice(0).map((s) => s.stop()));
  });

  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function stack(
    login: ConnectionLogin,
    nick: string,
    extra: Partial<XmppStackOptions> = {},
  ): XmppStack {
    const s = createXmppStack({
      login,
      log: log.child({ nick }),
      mucService: server.mucHost,
      nick,
      connection: { backoff: { initial: 100, max: 1000 } },
      ...extra,
    });
    stacks.push(s);
    return s;
  }
  const client = (user: string, extra: Partial<XmppStackOptions> = {}) =>
    stack(
      // One resource per stack: two sessions of one account with one resource replace each other.
      {
        mode: "client",
        service: server.service,
        jid: `${user}@${server.host}/${extra.nick ?? user}`,
        password: PASSWORD,
      },
      user,
      extra,
    );
  const component = (localpart: string, extra: Partial<XmppStackOptions> = {}) =>
    stack(
      { mode: "component", service: server.componentService, ...COMPONENT, localpart },
      localpart,
      extra,
    );

  /** A subscriber on `room` that collects what it decodes. */
  async function listen(s: XmppStack, room: string, catchUp = false) {
    const got = new Collector();
    const sub = new Subscriber({
      muc: s.muc,
      log,
      skipOwn: true,
      onEvents: (events) => got.add(events),
    });
    if (catchUp) await s.muc.join(room, { catchUp: true });
    await sub.subscribe(room);
    return { got, sub };
  }

  /** Publish `events` to `room` and return the rate at which the receiver had them all. */
  async function pump(
    pub: XmppStack,
    room: string,
    events: Event[],
    got: Collector,
  ): Promise<number> {
    const t0 = performance.now();
    for (const e of events) await pub.publisher.publish(room, e);
    await got.waitFor(events.map((e) => e.id()));
    return events.length / ((performance.now() - t0) / 1000);
  }

  it("carries 10k events in compact batches and 200 in legacy form intact", async () => {
    const pub = client("pub", { publisher: { rooms: { "xt-legacy": { form: "legacy" } } } });
    const sub = client("sub");
    await Promise.all([pub.start(), sub.start()]);
    const compact = await listen(sub, "xt-compact");
    const legacy = await listen(sub, "xt-legacy");
    await pub.muc.join("xt-compact");
    await pub.muc.join("xt-legacy");

    const many = Array.from({ length: 10_000 }, (_, i) => sample(i, "compact"));
    const few = Array.from({ length: 200 }, (_, i) => sample(i, "legacy"));
    await Promise.all([
      pump(pub, "xt-compact", many, compact.got),
      pump(pub, "xt-legacy", few, legacy.got),
    ]);
    await pub.publisher.drain();

    for (const e of [...many]) expect(compact.got.events.get(e.id())?.equals(e)).toBe(true);
    for (const e of few) expect(legacy.got.events.get(e.id())?.equals(e)).toBe(true);
    const out = pub.publisher.counters();
    const roomC = `xt-compact@${server.mucHost}`;
    const roomL = `xt-legacy@${server.mucHost}`;
    expect(out[roomC]).toMatchObject({ eventsOut: 10_000, inFlight: 0 });
    expect(out[roomC]?.messagesOut).toBeLessThan(500); // batched, not one per event
    expect(out[roomL]).toMatchObject({ eventsOut: 200, messagesOut: 200, inFlight: 0 });
    expect(compact.sub.counters()[roomC]).toEqual({ eventsIn: 10_000, malformed: 0 });
  });

  it("works as an XEP-0114 component, stanzas from a JID under the component domain", async () => {
    const feeder = component("feeder");
    const reader = client("sub", { nick: "sub-c" });
    await Promise.all([feeder.start(), reader.start()]);
    expect(feeder.connection.jid).toBe(`feeder@${COMPONENT.domain}/mesh`);
    const { got } = await listen(reader, "xt-component");
    const joined = await feeder.muc.join("xt-component");
    expect(joined.nick).toBe("feeder");
    // A non-anonymous room shows the component's JID to the other occupants.
    await vi.waitFor(() =>
      expect(reader.muc.occupants(joined.room).get("feeder")).toBe(`feeder@${COMPONENT.domain}`),
    );
    const events = Array.from({ length: 500 }, (_, i) => sample(i, "component"));
    await pump(feeder, "xt-component", events, got);

    // …and the other way round: a component reads what a client publishes.
    const writer = client("pub", { nick: "pub-c" });
    await writer.start();
    const back = await listen(feeder, "xt-component");
    await writer.muc.join("xt-component");
    await pump(writer, "xt-component", [sample(1, "to-component")], back.got);
  });

  it("loses no accepted event when the server restarts mid-stream", async () => {
    const spoolFile = join(dir, "state", "pub.outbox.jsonl");
    const pub = client("pub", { nick: "pub-r", publisher: { budgetBytes: 8192, spoolFile } });
    const sub = client("sub", { nick: "sub-r" });
    await Promise.all([pub.start(), sub.start()]);
    const room = `xt-restart@${server.mucHost}`;
    const { got } = await listen(sub, room, true);
    await pub.muc.join(room);
    const since = new Date(Date.now() - 2000);

    // More events after the restart begins than the in-flight window holds (5000): publish()
    // must block while the server is down and go on once it is back.
    const events = Array.from({ length: 10_000 }, (_, i) => sample(i, "restart"));
    let restarted: Promise<void> | undefined;
    let offline = 0;
    pub.connection.on("offline", () => offline++);
    for (const [i, e] of events.entries()) {
      await pub.publisher.publish(room, e);
      if (i === 2000) restarted = server.restart();
    }
    await restarted;
    await pub.publisher.drain();
    expect(offline).toBeGreaterThan(0);

    // What the subscriber missed while both were away, it reads from the room archive
    // (XEP-0313), as consumers that must not miss events do (DESIGN.md "Delivery").
    const ids = events.map((e) => e.id());
    const missing = () => ids.filter((id) => !got.events.has(id)).length;
    const missedLive = missing();
    if (missedLive > 0) {
      for await (const { message } of queryArchive(sub.connection, sub.iq, room, {
        start: since,
      })) {
        got.add(decodeMessage(message));
      }
    }
    console.log(
      `[${kind}] restart: ${events.length} events, ${missedLive} missed live and read from the archive,`,
      JSON.stringify(pub.publisher.counters()[room]),
    );
    await got.waitFor(ids, 30_000);
  }, 240_000); // ejabberd takes up to ~20 s to restart on a busy machine

  it("counts and skips malformed stanzas while good events keep flowing", async () => {
    const pub = client("pub", { nick: "pub-m" });
    const sub = client("sub", { nick: "sub-m" });
    const raw = client("raw", { nick: "evil" });
    await Promise.all([pub.start(), sub.start(), raw.start()]);
    const room = `xt-malformed@${server.mucHost}`;
    const { got, sub: subscriber } = await listen(sub, room);
    await Promise.all([pub.muc.join(room), raw.muc.join(room)]);

    const bad = [
      `<e xmlns="abusehelper#event"><k a="!!!"/></e>`,
      `<e xmlns="abusehelper#event"><k a="aXA="><v/></k></e>`,
      `<e xmlns="abusehelper#event"><garbage><more/></garbage></e>`,
      `<event xmlns="abusehelper#event"><attr key="ip"/></event>`,
      `<nonsense xmlns="abusehelper#event"/>`,
    ];
    const events = Array.from({ length: 300 }, (_, i) => sample(i, "good"));
    for (const [i, e] of events.entries()) {
      await pub.publisher.publish(room, e);
      const junk = i % 50 === 0 ? bad[i / 50] : undefined;
      if (junk !== undefined) {
        // A raw client, not our encoder: the stanza goes out exactly as written here.
        const inner = parse(`<x>${junk}</x>`).children;
        await raw.connection.send(
          xml("message", { to: room, type: "groupchat", id: `bad-${i}` }, ...inner),
        );
      }
    }
    await got.waitFor(events.map((e) => e.id()));
    await vi.waitFor(() => expect(subscriber.counters()[room]?.malformed).toBe(bad.length));
    expect(subscriber.counters()[room]?.eventsIn).toBe(events.length);
  });

  it("resolves a nick conflict with a suffixed nick", async () => {
    const first = client("sub", { nick: "twin" });
    const second = client("twin", { nick: "twin" });
    await Promise.all([first.start(), second.start()]);
    const a = await first.muc.join("xt-twins");
    const b = await second.muc.join("xt-twins");
    expect(a.nick).toBe("twin");
    expect(b.nick).toBe("twin_2");
    // Both are occupants, each seen by the other under its own nick.
    await vi.waitFor(() => expect([...first.muc.occupants(a.room).keys()]).toContain("twin_2"));
  });

  // Prosody's figures (the default server). ejabberd's mnesia archive makes legacy crawl there.
  it.runIf(kind === "prosody")(
    "measures events/s published → received, compact vs legacy",
    async () => {
      const rooms = { "xt-speed-legacy": { form: "legacy" as const } };
      const pub = client("speed", { publisher: { rooms } });
      const bare = client("speed", { nick: "speed-bare", publisher: { archive: false } });
      const sub = client("speedsub");
      await Promise.all([pub.start(), bare.start(), sub.start()]);
      const rates: string[] = [];
      const runs: [string, XmppStack, string, number][] = [
        ["compact batched", pub, "xt-speed-compact", 10_000],
        ["compact batched, not archived", bare, "xt-speed-bare", 10_000],
        ["legacy single", pub, "xt-speed-legacy", 1_000],
      ];
      for (const [label, from, room, n] of runs) {
        const { got } = await listen(sub, room);
        await from.muc.join(room);
        const rate = await pump(
          from,
          room,
          Array.from({ length: n }, (_, i) => sample(i, room)),
          got,
        );
        rates.push(`${label} ${Math.round(rate)} events/s`);
      }
      console.log(`[${kind}] published→received (${server.kind}, MAM on): ${rates.join("; ")}`);
    },
    300_000,
  );
});
