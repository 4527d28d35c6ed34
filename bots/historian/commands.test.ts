import { describe, expect, it } from "vitest";
import { historianCommands } from "./commands.js";
import { FakeBackend, storedEvent } from "./query-fake.js";

const now = new Date("2026-11-08T12:00:00Z");
const alice = { jid: "alice@example.org/laptop" };

function fixture() {
  const docs = [
    storedEvent(
      { ip: "192.0.2.1", asn: "64496", type: "scanner", feed: "dshield" },
      "2026-11-07 10:00:00Z",
    ),
    storedEvent(
      { ip: "192.0.2.1", asn: "64496", type: "scanner", feed: "shadowserver" },
      "2026-11-06 10:00:00Z",
    ),
    storedEvent(
      { ip: "192.0.2.1", asn: "64496", type: "malware", feed: "dshield" },
      "2026-09-01 10:00:00Z",
    ),
    storedEvent(
      { ip: "192.0.2.77", asn: "64496", type: "scanner", feed: "dshield", cc: "FI" },
      "2026-11-05 10:00:00Z",
    ),
    storedEvent(
      { ip: "198.51.100.5", asn: "64500", type: "scanner", feed: "dshield", cc: "SE" },
      "2026-11-04 10:00:00Z",
    ),
    storedEvent(
      { ip: "192.0.20.1", asn: "64497", type: "spam", feed: "spamfeed" },
      "2026-11-03 10:00:00Z",
    ),
  ];
  const backend = new FakeBackend(docs);
  const cmds = historianCommands({ backend: () => backend, now: () => now });
  const ask = async (name: string, args: string, from = alice) => cmds[name]!.run(args, from);
  return { backend, ask };
}

describe("!find", () => {
  it("answers exactly the rule's events within the time bound, newest first", async () => {
    const { ask, backend } = fixture();
    const reply = await ask("find", "asn = 64496 and type = scanner since 7d");
    const lines = reply.split("\n");
    expect(lines[0]).toBe("asn = 64496 and type = scanner since 2026-11-01 12:00:00Z: 3 events");
    expect(lines[1]).toMatch(/^time\s+feed\s+type\s+ip\s+asn\s+cc$/);
    expect(lines.slice(2, -1).map((l) => l.slice(0, 20))).toEqual([
      "2026-11-07 10:00:00Z",
      "2026-11-06 10:00:00Z",
      "2026-11-05 10:00:00Z",
    ]);
    // The time bound and the indexed parts went to the store.
    expect(JSON.stringify(backend.selectors[0])).toContain('"$gte":"2026-11-01 12:00:00Z"');
    expect(JSON.stringify(backend.selectors[0])).toContain('"asn":{"$elemMatch":{"$eq":"64496"}}');
  });

  it("filters parts Mango cannot answer with the rule matcher", async () => {
    const { ask } = fixture();
    const reply = await ask("find", "feed = /shadow/ since 30d");
    expect(reply).toMatch(/: 1 event\b/);
    expect(reply).toContain("shadowserver");
    expect(reply).not.toContain("dshield");
  });

  it("honours limit and says the answer was cut", async () => {
    const { ask } = fixture();
    const reply = await ask("find", "type = scanner since 30d limit 2");
    expect(reply.split("\n")).toHaveLength(6); // title, header, 2 rows, 2 notes
    expect(reply).toMatch(/newest 2 shown/);
  });

  it("says what was wrong with a malformed question, with an example", async () => {
    const { ask } = fixture();
    expect(await ask("find", "")).toBe(
      "!find: expected a rule; e.g. !find asn = 64496 and type = scanner since 7d",
    );
    expect(await ask("find", "since 7d")).toMatch(/^!find: expected a rule; e\.g\./);
    expect(await ask("find", "asn = = 1")).toMatch(/^!find: .*; e\.g\. !find asn = 64496/);
    expect(await ask("find", "asn = 1 since last week")).toMatch(
      /^!find: rule: .* \(since and limit take one word at the end: since 7d/,
    );
  });

  it("says so when nothing matches", async () => {
    const { ask } = fixture();
    expect(await ask("find", "asn = 64511")).toMatch(/: 0 events\nno events match/);
  });
});

describe("!ip / !net / !asn", () => {
  it("summarises an address over all time", async () => {
    const { ask } = fixture();
    const reply = await ask("ip", "192.0.2.1");
    expect(reply).toMatch(/^ip 192\.0\.2\.1\n/);
    expect(reply).toMatch(/events\s+3\n/);
    expect(reply).toMatch(/first seen\s+2026-09-01 10:00:00Z\n/);
    expect(reply).toMatch(/last seen\s+2026-11-07 10:00:00Z\n/);
    expect(reply).toMatch(/feeds\s+dshield \(2\), shadowserver \(1\)\n/);
    expect(reply).toMatch(/types\s+scanner \(2\), malware \(1\)\n/);
    expect(reply).toContain("latest 3:");
  });

  it("takes an IPv4-mapped address as the IPv4 address the events carry", async () => {
    const { ask } = fixture();
    const reply = await ask("ip", "::ffff:192.0.2.1");
    expect(reply).toMatch(/^ip ::ffff:192\.0\.2\.1\n/);
    expect(reply).toMatch(/events\s+3\n/);
  });

  it("summarises a network without the look-alike 192.0.20.1", async () => {
    const { ask } = fixture();
    const reply = await ask("net", "192.0.2.0/24");
    expect(reply).toMatch(/events\s+4\n/);
    expect(reply).toMatch(/ips\s+2\n/);
    expect(reply).not.toContain("192.0.20.1");
  });

  it("summarises an AS (AS prefix allowed) and bounds by since", async () => {
    const { ask } = fixture();
    expect(await ask("asn", "AS64496 since 30d")).toMatch(/events\s+3\n/);
    expect(await ask("asn", "64511")).toBe("asn 64511: not seen");
  });

  it("refuses malformed subjects with an example", async () => {
    const { ask } = fixture();
    expect(await ask("ip", "192.0.2.0/24")).toBe("!ip: expected an IP address; e.g. !ip 192.0.2.1");
    expect(await ask("ip", "")).toMatch(/^!ip: expected an IP address/);
    expect(await ask("net", "banana")).toMatch(/^!net: expected a network in CIDR; e\.g\. !net/);
    expect(await ask("net", "192.0.2.1/24")).toBe(
      "!net: expected a network in CIDR (host bits are set after /24: the network is 192.0.2.0/24); e.g. !net 192.0.2.0/24",
    );
    expect(await ask("ip", "192.0.2.01")).toMatch(
      /^!ip: expected an IP address \(leading zeros are ambiguous .*: write 192\.0\.2\.1\)/,
    );
    expect(await ask("asn", "sixty")).toMatch(/^!asn: expected an AS number/);
  });
});

describe("!count", () => {
  it("tallies the values of a key over the matching events", async () => {
    const { ask } = fixture();
    const reply = await ask("count", "type = scanner by asn since 30d");
    expect(reply.split("\n")).toEqual([
      "asn of 4 event(s) matching type = scanner since 2026-10-09 12:00:00Z: 2 value(s)",
      "count  asn",
      "    3  64496",
      "    1  64500",
    ]);
  });

  it("counts every event without a rule and names events lacking the key", async () => {
    const { ask } = fixture();
    const reply = await ask("count", "by cc since 30d");
    expect(reply).toMatch(/\n\s+3\s+\(none\)\n/);
  });

  it("needs a key", async () => {
    const { ask } = fixture();
    expect(await ask("count", "type = scanner")).toBe(
      "!count: expected <rule> by <key>; e.g. !count type = scanner by asn since 7d",
    );
  });
});

describe("!more", () => {
  it("gives the next pages of the asker's previous answer only", async () => {
    const docs = Array.from({ length: 50 }, (_, i) =>
      storedEvent(
        { ip: `192.0.2.${i + 1}`, type: "scanner" },
        `2026-11-07 10:00:${String(i).padStart(2, "0")}Z`,
      ),
    );
    const backend = new FakeBackend(docs);
    const cmds = historianCommands({ backend: () => backend, now: () => now });
    const first = await cmds.find!.run("type = scanner", alice);
    expect(first).toMatch(/\(page 1\/3\)/);
    expect(await cmds.more!.run("", { jid: "bob@example.org" })).toMatch(/nothing more/);
    const second = await cmds.more!.run("", { jid: "alice@example.org/phone" });
    expect(second).toMatch(/\(page 2\/3\)\ntime/);
    expect(await cmds.more!.run("", alice)).toMatch(/\(page 3\/3\)/);
    expect(await cmds.more!.run("", alice)).toMatch(/nothing more/);
  });
});

describe("store not open", () => {
  it("says so instead of failing", async () => {
    const cmds = historianCommands({ backend: () => undefined });
    expect(await cmds.ip!.run("192.0.2.1", alice)).toMatch(/no CouchDB is configured/);
  });
});

describe("bounded questions", () => {
  it("refuses a huge question without echoing it back", async () => {
    const { ask } = fixture();
    const huge = Array.from({ length: 20_001 }, (_, i) => `asn = ${i}`).join(" or ");
    const reply = await ask("find", huge);
    expect(reply).toMatch(/^!find: question too long \(\d+ characters; at most 2000\)/);
    expect(reply.length).toBeLessThan(300);
  });

  it("runs a backtracking regexp in linear time and refuses backreferences", async () => {
    const docs = [storedEvent({ description: "a".repeat(30_000) + "!" }, "2026-11-07 10:00:00Z")];
    const cmds = historianCommands({ backend: () => new FakeBackend(docs), now: () => now });
    // A backtracking engine takes far longer than the test timeout on this.
    expect(await cmds.find!.run("description = /(a+)+$/", alice)).toMatch(/: 0 events/);
    expect(await cmds.find!.run("description = /(a)\\1/", alice)).toMatch(
      /^!find: rule: .*linear-time engine: no backreferences or lookaround/,
    );
  });
});
