// The DNS test harness (test/harness/dns.ts) itself: what each kind of record answers through
// node's own resolver, and that queries() counts what reached the server.
import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDns, type DnsServer } from "../harness/dns.js";

describe("dns harness (dnsmasq)", () => {
  let dns: DnsServer;
  let resolver: Resolver;

  beforeAll(async () => {
    dns = await startDns({
      records: {
        txt: {
          "1.2.0.192.origin.asn.cymru.com": [
            "64496 64497 | 192.0.2.0/24 | FI | ripencc | 2001-01-01",
          ],
          "multi.example.com": [["a, b", 'say "hi"'], ["second"]],
        },
        a: { "host.example.com": ["192.0.2.1", "192.0.2.2", "2001:db8::1"] },
        nxdomain: ["gone.example.com"],
        servfail: ["broken.example"],
        timeout: ["silent.example"],
      },
    });
    resolver = new Resolver({ timeout: 300, tries: 1 });
    resolver.setServers([dns.server]);
  });
  afterAll(async () => {
    await dns.stop();
  });

  const code = (p: Promise<unknown>) =>
    p.then(
      () => "answered",
      (err: NodeJS.ErrnoException) => err.code,
    );

  it("serves TXT records, one string or several per record", async () => {
    expect(await resolver.resolveTxt("1.2.0.192.origin.asn.cymru.com")).toEqual([
      ["64496 64497 | 192.0.2.0/24 | FI | ripencc | 2001-01-01"],
    ]);
    const multi = await resolver.resolveTxt("multi.example.com");
    expect(multi).toHaveLength(2);
    expect(multi).toContainEqual(["a, b", 'say "hi"']);
    expect(multi).toContainEqual(["second"]);
  });

  it("serves A and AAAA records", async () => {
    expect((await resolver.resolve4("host.example.com")).sort()).toEqual([
      "192.0.2.1",
      "192.0.2.2",
    ]);
    expect(await resolver.resolve6("host.example.com")).toEqual(["2001:db8::1"]);
  });

  it("answers NXDOMAIN for listed and unknown names, SERVFAIL and silence for their zones", async () => {
    expect(await code(resolver.resolveTxt("gone.example.com"))).toBe("ENOTFOUND");
    expect(await code(resolver.resolveTxt("x.gone.example.com"))).toBe("ENOTFOUND");
    expect(await code(resolver.resolveTxt("unknown.example.org"))).toBe("ENOTFOUND");
    expect(await code(resolver.resolveTxt("a.broken.example"))).toBe("ESERVFAIL");
    expect(await code(resolver.resolveTxt("a.silent.example"))).toBe("ETIMEOUT");
  });

  it("counts the queries that reached it, in all or by name", async () => {
    const before = dns.queries();
    const named = dns.queries("count.example.com");
    await code(resolver.resolveTxt("count.example.com"));
    await code(resolver.resolveTxt("count.example.com"));
    expect(dns.queries()).toBe(before + 2);
    expect(dns.queries("count.example.com")).toBe(named + 2);
  });
});
