// Experts in a real mesh: raw -> asn (Team Cymru over DNS answered by a real dnsmasq, or an
// offline pfx2as table) -> customer (YAML file) -> enriched -> roomgraph -> one room per
// customer, by real bot processes on a real Prosody. Each customer room gets exactly its events, with the keys the
// experts added; events outside every own network are marked and routed apart.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Event, type EventJson } from "../../core/sdk/event.js";
import { startDns, type DnsServer } from "../harness/dns.js";
import { connectPeer, startMesh, waitFor, type Peer, type RunningMesh } from "../harness/mesh.js";
import { withServer } from "../harness/servers.js";

const V6 = "5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.a.0.0.0.8.b.d.0.1.0.0.2.origin6.asn.cymru.com";

const DNS_RECORDS = {
  txt: {
    "1.2.0.192.origin.asn.cymru.com": ["64496 | 192.0.2.0/24 | FI | ripencc | 2001-01-01"],
    "130.2.0.192.origin.asn.cymru.com": ["64496 | 192.0.2.0/24 | FI | ripencc | 2001-01-01"],
    "50.100.51.198.origin.asn.cymru.com": ["64497 | 198.51.100.0/24 | SE | ripencc | 2002-02-02"],
    [V6]: ["64496 | 2001:db8::/32 | FI | ripencc | 2003-03-03"],
    "AS64496.asn.cymru.com": ["64496 | FI | ripencc | 2001-01-01 | EXAMPLE-AS Example Org, FI"],
    "AS64497.asn.cymru.com": ["64497 | SE | ripencc | 2002-02-02 | OTHER-AS Other Org, SE"],
  },
};

const CUSTOMERS = `
customers:
  - id: a
    name: Customer A Oy
    abuse_email: abuse@a.example.com
    report: daily
    networks: [192.0.2.0/24, "2001:db8:a::/48"]
  - id: b
    name: Customer B
    abuse_email: noc@b.example.net
    report: immediate
    networks: [192.0.2.128/25]
    asns: [64497]
`;

const ROOMS = `
routes:
  - from: enriched
    to: customer.a
    rule: '"customer id" = a'
  - from: enriched
    to: customer.b
    rule: '"customer id" = b'
  - from: enriched
    to: unowned
    rule: '"own network" = no'
`;

const PFX2AS = "192.0.2.0\t24\t64496\n198.51.100.0\t24\t64497\n2001:db8::\t32\t64496\n";
const NAMES = "64496 EXAMPLE-AS Example Org, FI\n64497 OTHER-AS Other Org, SE\n";

const CUSTOMER_A = {
  "abuse email": ["abuse@a.example.com"],
  "customer id": ["a"],
  "customer name": ["Customer A Oy"],
  report: ["daily"],
};
const CUSTOMER_B = {
  "abuse email": ["noc@b.example.net"],
  "customer id": ["b"],
  "customer name": ["Customer B"],
  report: ["immediate"],
};

/** What each source adds for the addresses of the test. */
const FACTS: Record<"cymru" | "table", Record<string, EventJson>> = {
  cymru: {
    v4a: {
      asn: ["64496"],
      "as allocated": ["2001-01-01"],
      "as name": ["EXAMPLE-AS Example Org, FI"],
      "bgp prefix": ["192.0.2.0/24"],
      "bgp prefix allocated": ["2001-01-01"],
      cc: ["FI"],
      registry: ["ripencc"],
    },
    v4b: {
      asn: ["64497"],
      "as allocated": ["2002-02-02"],
      "as name": ["OTHER-AS Other Org, SE"],
      "bgp prefix": ["198.51.100.0/24"],
      "bgp prefix allocated": ["2002-02-02"],
      cc: ["SE"],
      registry: ["ripencc"],
    },
    v6: {
      asn: ["64496"],
      "as allocated": ["2001-01-01"],
      "as name": ["EXAMPLE-AS Example Org, FI"],
      "bgp prefix": ["2001:db8::/32"],
      "bgp prefix allocated": ["2003-03-03"],
      cc: ["FI"],
      registry: ["ripencc"],
    },
  },
  table: {
    v4a: {
      asn: ["64496"],
      "as name": ["EXAMPLE-AS Example Org, FI"],
      "bgp prefix": ["192.0.2.0/24"],
    },
    v4b: {
      asn: ["64497"],
      "as name": ["OTHER-AS Other Org, SE"],
      "bgp prefix": ["198.51.100.0/24"],
    },
    v6: {
      asn: ["64496"],
      "as name": ["EXAMPLE-AS Example Org, FI"],
      "bgp prefix": ["2001:db8::/32"],
    },
  },
};

for (const source of ["cymru", "table"] as const) {
  describe(`asn (${source}) and customer experts in a mesh on prosody`, () => {
    const server = withServer("prosody");
    let dns: DnsServer;
    let dir: string;
    let mesh: RunningMesh;
    let peer: Peer;
    const room = (name: string) => `${name}@${server().mucHost}`;
    const got = (name: string): EventJson[] =>
      (peer.received.get(room(name)) ?? []).map((e) => e.toJSON());

    beforeAll(async () => {
      dns = await startDns({ records: DNS_RECORDS });
      dir = await mkdtemp(join(tmpdir(), "experts-mesh-"));
      const file = (name: string, text: string) => writeFile(join(dir, name), text);
      await file("customers.yaml", CUSTOMERS);
      await file("pfx2as.txt", PFX2AS);
      await file("asn.txt", NAMES);
      const asnParams =
        source === "cymru"
          ? `{ source: cymru, resolver: "${dns.server}", timeout: 2s }`
          : `{ source: table, table: "${join(dir, "pfx2as.txt")}", names: "${join(dir, "asn.txt")}" }`;
      const body = `
bots:
  - id: asn
    bot: asn
    in: raw
    out: with-asn
    params: ${asnParams}
  - id: customer
    bot: customer
    in: with-asn
    out: enriched
    params: { file: "${join(dir, "customers.yaml")}", outside: mark }
  - id: roomgraph
    bot: roomgraph
`;
      const ids = ["asn", "customer", "roomgraph"];
      mesh = await startMesh(server(), { body, rooms: ROOMS, ids });
      peer = await connectPeer(server(), "peer");
      for (const r of ["customer.a", "customer.b", "unowned"]) await peer.listen(r);
      await peer.stack.muc.join(room("raw"));
      await peer.stack.muc.join(room("lobby"));
      await waitFor("the bots in the lobby", () => {
        const nicks = [...peer.stack.muc.occupants(room("lobby")).keys()];
        return ids.every((n) => nicks.includes(n)) ? true : undefined;
      });
    });

    afterAll(async () => {
      await peer?.stop();
      await mesh?.stop();
      await dns?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("routes each event, enriched, to its customer's room only", async () => {
      const events = [
        { ip: "192.0.2.1", type: "scanner" }, // a by address
        { ip: "192.0.2.130", type: "spam" }, // b: the longer network wins
        { ip: "198.51.100.50", type: "spam" }, // b by its AS (no own network holds it)
        { ip: "2001:db8:a::5", type: "scanner" }, // a, IPv6
        { ip: "203.0.113.77", type: "scanner" }, // no AS found, nobody's
        { ip: "192.0.2.1", type: "phishing" }, // a again (cymru: from the cache)
      ];
      for (const ev of events) await peer.stack.publisher.publish("raw", new Event(ev));

      const sorted = (list: EventJson[]) =>
        list
          .map((e) => JSON.stringify(e))
          .sort()
          .map((e) => JSON.parse(e) as EventJson);
      const settled = async (name: string, n: number) => {
        await waitFor(`${n} event(s) in ${name}`, () => (got(name).length >= n ? true : undefined));
        await new Promise((r) => setTimeout(r, 1_000)); // nothing more may come
        return sorted(got(name));
      };
      const f = FACTS[source];
      expect(await settled("customer.a", 3)).toEqual(
        sorted([
          { ...f.v4a, ...CUSTOMER_A, ip: ["192.0.2.1"], type: ["scanner"] },
          { ...f.v4a, ...CUSTOMER_A, ip: ["192.0.2.1"], type: ["phishing"] },
          { ...f.v6, ...CUSTOMER_A, ip: ["2001:db8:a::5"], type: ["scanner"] },
        ]),
      );
      expect(await settled("customer.b", 2)).toEqual(
        sorted([
          { ...f.v4a, ...CUSTOMER_B, ip: ["192.0.2.130"], type: ["spam"] },
          { ...f.v4b, ...CUSTOMER_B, ip: ["198.51.100.50"], type: ["spam"] },
        ]),
      );
      expect(await settled("unowned", 1)).toEqual([
        { ip: ["203.0.113.77"], "own network": ["no"], type: ["scanner"] },
      ]);
      // Cymru: the second lookup of 192.0.2.1 came from the bot's cache; table: no DNS at all.
      expect(dns.queries("1.2.0.192.origin.asn.cymru.com")).toBe(source === "cymru" ? 1 : 0);
    });
  });
}
