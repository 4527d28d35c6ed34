import { describe, expect, it } from "vitest";
import { originName, parseAsName, parseOrigin } from "./cymru.js";
import { formatAddr, isSpecial, parseAddr, type Addr } from "../../core/index.js";

const ip = (text: string): Addr => {
  const a = parseAddr(text);
  if (!a) throw new Error(`not an IP: ${text}`);
  return a;
};

describe("Cymru query names", () => {
  it("reverses IPv4 octets under origin.asn.cymru.com", () => {
    expect(originName(ip("192.0.2.1"))).toBe("1.2.0.192.origin.asn.cymru.com");
  });

  it("spells IPv6 as 32 reversed nibbles under origin6.asn.cymru.com", () => {
    expect(originName(ip("2001:db8::1"))).toBe(
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.origin6.asn.cymru.com",
    );
    expect(originName(ip("2001:DB8:a:b:c:d:e:f"))).toBe(
      "f.0.0.0.e.0.0.0.d.0.0.0.c.0.0.0.b.0.0.0.a.0.0.0.8.b.d.0.1.0.0.2.origin6.asn.cymru.com",
    );
  });

  it("asks IPv4-mapped IPv6 addresses as IPv4", () => {
    expect(originName(ip("::ffff:192.0.2.1"))).toBe("1.2.0.192.origin.asn.cymru.com");
  });
});

describe("Cymru answers", () => {
  it("keeps every ASN of a multi-origin prefix", () => {
    const txt = [["64496 64497 | 192.0.2.0/24 | FI | ripencc | 2001-01-01"]];
    expect(parseOrigin(txt)?.toJSON()).toEqual({
      asn: ["64496", "64497"],
      "bgp prefix": ["192.0.2.0/24"],
      "bgp prefix allocated": ["2001-01-01"],
      cc: ["FI"],
      registry: ["ripencc"],
    });
  });

  it("takes the longest of several covering prefixes, and joins split strings", () => {
    const txt = [
      ["64500 | 192.0.0.0/16 | US | arin | 1990-01-01"],
      ["64496 | 192.0.2.0/24 | FI | ", "ripencc | -"],
    ];
    expect(parseOrigin(txt)?.toJSON()).toEqual({
      asn: ["64496"],
      "bgp prefix": ["192.0.2.0/24"],
      cc: ["FI"],
      registry: ["ripencc"],
    });
  });

  it("reads an IPv6 origin answer", () => {
    const txt = [["64498 | 2001:db8::/32 | NL | ripencc | 2003-03-03"]];
    expect(parseOrigin(txt)?.toJSON()).toEqual({
      asn: ["64498"],
      "bgp prefix": ["2001:db8::/32"],
      "bgp prefix allocated": ["2003-03-03"],
      cc: ["NL"],
      registry: ["ripencc"],
    });
  });

  it("finds nothing in an answer without an AS number", () => {
    expect(parseOrigin([["- | - | - | - | -"]])).toBeNull();
    expect(parseOrigin([])).toBeNull();
  });

  it("reads the AS name answer: name (even with a '|' in it) and allocation date", () => {
    const txt = [["64496 | FI | ripencc | 2001-01-01 | EXAMPLE-AS Example | Org, FI"]];
    expect(parseAsName(txt)?.toJSON()).toEqual({
      "as allocated": ["2001-01-01"],
      "as name": ["EXAMPLE-AS Example | Org, FI"],
    });
    expect(parseAsName([["64496 | FI | ripencc | - | -"]])).toBeNull();
  });
});

describe("addresses", () => {
  it("normalises IPv6 to RFC 5952 text", () => {
    expect(formatAddr(ip("2001:0DB8:0:0:0:0:0:1"))).toBe("2001:db8::1");
    expect(formatAddr(ip("2001:db8:0:0:1:0:0:1"))).toBe("2001:db8::1:0:0:1");
    expect(formatAddr(ip("::"))).toBe("::");
    expect(parseAddr("192.0.2.1/24")).toBeNull();
    expect(parseAddr("fe80::1%eth0")).toBeNull();
    expect(parseAddr("example.com")).toBeNull();
  });

  it("tells special-purpose addresses from public and documentation ones", () => {
    const special = ["10.1.2.3", "127.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1"];
    special.push("169.254.1.1", "224.0.0.1", "255.255.255.255", "0.0.0.0", "198.18.0.1");
    special.push("::1", "fe80::1", "fc00::1", "ff02::1", "2001::1", "::ffff:10.0.0.1");
    for (const text of special) expect([text, isSpecial(ip(text))]).toEqual([text, true]);
    const looked = ["192.0.2.1", "198.51.100.1", "203.0.113.1", "8.8.8.8", "2001:db8::1"];
    looked.push("2a00:1450::1", "::ffff:192.0.2.1");
    for (const text of looked) expect([text, isSpecial(ip(text))]).toEqual([text, false]);
  });
});
