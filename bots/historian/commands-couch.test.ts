import { beforeAll, expect, it } from "vitest";
import { Event } from "../../core/index.js";
import { dbName, describeEachCouch, storeOpts } from "../../test/harness/couchdb.js";
import { testBot } from "../../core/testing.js";
import { historianCommands } from "./commands.js";
import { historian } from "./historian.js";
import { storeBackend } from "./query-store.js";
import { openStore, toDoc, type Store } from "./store.js";

// The commands against the embedded CouchDB-compatible server and a real CouchDB, through
// store.ts and nano.
const now = new Date("2026-11-08T12:00:00Z");
const alice = { jid: "alice@example.org" };

describeEachCouch("commands", (couch) => {
  let store: Store;
  const db = dbName("events");
  beforeAll(async () => {
    store = await openStore(storeOpts(couch(), db));
    const docs = [];
    // 600 scanners in 192.0.2.0/24 over one day (more than one 500-document page), all in the
    // same few seconds so pages split ties; plus look-alikes that must not be counted.
    for (let i = 0; i < 600; i++) {
      const time = `2026-11-07 10:00:0${i % 3}Z`;
      const ev = new Event({
        ip: `192.0.2.${i % 250}`,
        asn: "64496",
        type: "scanner",
        time,
        n: `${i}`,
      });
      docs.push(toDoc(ev, { room: "raw@rooms.test" }, now));
    }
    docs.push(
      toDoc(
        new Event({ ip: "192.0.20.1", asn: "64496", type: "spam", time: "2026-11-06 00:00:00Z" }),
        { room: "r" },
        now,
      ),
    );
    docs.push(
      toDoc(
        new Event({
          ip: "192.0.2.1",
          asn: "64497",
          type: "malware",
          feed: "f",
          time: "2026-01-01 00:00:00Z",
        }),
        { room: "r" },
        now,
      ),
    );
    await store.put(docs);
  }, 60_000);

  const cmds = () => historianCommands({ backend: () => storeBackend(store), now: () => now });

  it("!ip counts every event of an address across pages, first and last seen", async () => {
    const reply = await cmds().ip!.run("192.0.2.1", alice);
    expect(reply).toMatch(/events\s+4\n/); // n = 1, 251, 501 and the malware one
    expect(reply).toMatch(/first seen\s+2026-01-01 00:00:00Z\n/);
    expect(reply).toMatch(/types\s+scanner \(3\), malware \(1\)/);
  });

  it("!net and !count see all 600 scanners exactly once, not the look-alike", async () => {
    const c = cmds();
    expect(await c.net!.run("192.0.2.0/24 since 30d", alice)).toMatch(/events\s+600\n/);
    const count = await c.count!.run("ip in 192.0.2.0/24 by type since 30d", alice);
    expect(count.split("\n").slice(1)).toEqual(["count  type", "  600  scanner"]);
  });

  it("!find returns the newest matching events, limited", async () => {
    const reply = await cmds().find!.run("asn = 64496 and type = spam since 30d", alice);
    expect(reply).toMatch(/: 1 event\n/);
    expect(reply).toContain("192.0.20.1");
  });

  it("!find with nested and/or groups", async () => {
    const reply = await cmds().find!.run(
      "(asn = 64496 and type = spam) or (asn = 64497 and no type = scanner) since 2025-01-01",
      alice,
    );
    expect(reply).toMatch(/: 2 events\n/);
  });

  it("the historian's commands open the store from the bot's CouchDB and db param", async () => {
    const { url, username, password } = storeOpts(couch(), db);
    const couchdb = { url, ...(username ? { username } : {}), ...(password ? { password } : {}) };
    const bot = await testBot(historian, { db }, { couchdb });
    const reply = await bot.ask("asn", "64497", alice.jid);
    await bot.stop();
    expect(reply).toMatch(/events\s+1\n/);
  });
});
