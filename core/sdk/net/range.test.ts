import { describe, expect, it } from "vitest";
import { parseAddr, type Addr } from "./ip.js";
import {
  contains,
  formatRange,
  IpError,
  networkOf,
  parseRange,
  prefixLength,
  readRange,
  type RangeOptions,
} from "./range.js";

const ip = (text: string): Addr => {
  const a = parseAddr(text);
  if (!a) throw new Error(`not an IP: ${text}`);
  return a;
};
/** The range as AbuseHelper writes it: the address, else the CIDR, else first-last. */
const norm = (text: string, opts?: RangeOptions) => formatRange(parseRange(text, opts));
const why = (text: string, opts?: RangeOptions) => {
  const r = readRange(text, opts);
  return typeof r === "string" ? r : undefined;
};

describe("CIDRs", () => {
  it("reads blocks from /0 to /32 and /128, canonical in IPv6", () => {
    expect(parseRange("192.0.2.0/24")).toEqual({ v: 4, first: 0xc0000200, last: 0xc00002ff });
    expect(parseRange("0.0.0.0/0")).toEqual({ v: 4, first: 0, last: 0xffffffff });
    expect(norm("192.0.2.7/32")).toBe("192.0.2.7");
    expect(formatRange(parseRange("192.0.2.7/32"), "cidr")).toBe("192.0.2.7/32");
    expect(norm("::/0")).toBe("::/0");
    expect(norm("2001:DB8:0::/32")).toBe("2001:db8::/32");
    expect(formatRange(parseRange("2001:db8::1/128"), "cidr")).toBe("2001:db8::1/128");
    expect(norm(" 198.51.100.0 / 024 ")).toBe("198.51.100.0/24"); // spaces; 024 is 24, not octal
  });

  it("refuses host bits set, naming the network meant, unless asked to mask them", () => {
    expect(() => parseRange("192.0.2.1/24")).toThrow(
      new IpError("192.0.2.1/24", "host bits are set after /24: the network is 192.0.2.0/24"),
    );
    expect(why("2001:db8::1/64")).toBe("host bits are set after /64: the network is 2001:db8::/64");
    expect(why("0.0.0.1/0")).toBe("host bits are set after /0: the network is 0.0.0.0/0");
    expect(norm("192.0.2.1/24", { hostBits: "mask" })).toBe("192.0.2.0/24");
    expect(norm("203.0.113.77/0", { hostBits: "mask" })).toBe("0.0.0.0/0");
  });

  it("refuses a bad prefix length, saying what the version allows", () => {
    expect(() => parseRange("192.0.2.0/33")).toThrow(
      '"192.0.2.0/33": prefix length 33 is out of range 0-32 for IPv4',
    );
    expect(why("2001:db8::/129")).toBe("prefix length 129 is out of range 0-128 for IPv6");
    for (const bits of ["", "+24", "2 4", "0x18", "1e1", "24.0"]) {
      expect(why(`192.0.2.0/${bits}`), bits).toMatch(/^prefix length ".*" is not a number/);
    }
    expect(why("192.0.2.0/24/8")).toMatch(/^prefix length "24\/8"/);
    expect(why("010.0.2.0/24")).toBe(
      'the address "010.0.2.0": leading zeros are ambiguous (some tools read them as octal): write 10.0.2.0',
    );
  });

  it("reads an IPv4-mapped block as the IPv4 block, prefix counted in IPv6 bits", () => {
    expect(norm("::ffff:192.0.2.0/120")).toBe("192.0.2.0/24");
    expect(norm("::ffff:0:0/96")).toBe("0.0.0.0/0");
    expect(norm("::ffff:192.0.2.0/120", { mapped: "ipv6" })).toBe("::ffff:192.0.2.0/120");
    expect(parseRange("::fffe:0:0/95").v).toBe(6); // wider than the mapped space
  });
});

describe("first-last ranges and addresses", () => {
  it("reads a range of one version, first not after last", () => {
    expect(norm("192.0.2.10 - 192.0.2.20")).toBe("192.0.2.10-192.0.2.20");
    expect(norm("192.0.2.0-192.0.2.255")).toBe("192.0.2.0/24");
    expect(formatRange(parseRange("192.0.2.0-192.0.2.255"), "first-last")).toBe(
      "192.0.2.0-192.0.2.255",
    );
    expect(norm("2001:db8::1-2001:DB8::ff")).toBe("2001:db8::1-2001:db8::ff");
    expect(norm("192.0.2.5-192.0.2.5")).toBe("192.0.2.5");
    expect(why("192.0.2.9-192.0.2.1")).toBe(
      "the range ends before it starts (192.0.2.1 is below 192.0.2.9)",
    );
    expect(norm("192.0.2.9-192.0.2.1", { anyOrder: true })).toBe("192.0.2.1-192.0.2.9");
    expect(why("192.0.2.1-2001:db8::1")).toBe("a range cannot mix IPv4 and IPv6");
    expect(why("192.0.2.1-192.0.2.256")).toBe('the last address "192.0.2.256": not an IP address');
  });

  it("takes mapped ends as IPv4, so they may pair with IPv4", () => {
    expect(norm("192.0.2.1-::ffff:192.0.2.9")).toBe("192.0.2.1-192.0.2.9");
    expect(why("192.0.2.1-::ffff:192.0.2.9", { mapped: "ipv6" })).toBe(
      "a range cannot mix IPv4 and IPv6",
    );
  });

  it("reads one address as a range of one", () => {
    expect(parseRange("198.51.100.7")).toEqual({ v: 4, first: 0xc6336407, last: 0xc6336407 });
    expect(norm("2001:db8:0:0:0:0:0:1")).toBe("2001:db8::1");
    expect(why("fe80::1%eth0")).toMatch(/^a zone id \(%eth0\)/);
  });

  it("takes only the forms asked for", () => {
    const cidrOnly: RangeOptions = { forms: ["cidr"] };
    expect(why("192.0.2.1", cidrOnly)).toBe("expected a CIDR like 192.0.2.0/24");
    expect(why("192.0.2.1-192.0.2.2", cidrOnly)).toBe("expected a CIDR like 192.0.2.0/24");
    expect(why("example.com", { forms: ["cidr", "range"] })).toBe(
      "expected a CIDR like 192.0.2.0/24 or a range like 192.0.2.1-192.0.2.9",
    );
    expect(why("192.0.2.0/24", { forms: ["addr"] })).toBe("expected an IP address");
    expect(why("banana")).toBe("not an IP address");
  });
});

describe("networkOf / contains / prefixLength", () => {
  it("widens an address to its /24, /16, /64, /48", () => {
    expect(formatRange(networkOf(ip("198.51.100.77"), 24))).toBe("198.51.100.0/24");
    expect(formatRange(networkOf(ip("198.51.100.77"), 16))).toBe("198.51.0.0/16");
    expect(formatRange(networkOf(ip("2001:db8:a:b:c::1"), 64))).toBe("2001:db8:a:b::/64");
    expect(formatRange(networkOf(ip("2001:db8:a:b:c::1"), 48))).toBe("2001:db8:a::/48");
    expect(formatRange(networkOf(ip("::ffff:203.0.113.9"), 24))).toBe("203.0.113.0/24");
    expect(formatRange(networkOf(ip("203.0.113.9"), 32))).toBe("203.0.113.9");
    expect(formatRange(networkOf(ip("2001:db8::1"), 0))).toBe("::/0");
    expect(() => networkOf(ip("192.0.2.1"), 33)).toThrow(RangeError);
    expect(() => networkOf(ip("2001:db8::1"), 64.5)).toThrow(RangeError);
  });

  it("contains whole ranges of the same version only", () => {
    const net = parseRange("192.0.2.0/24");
    expect(contains(net, parseRange("192.0.2.255"))).toBe(true);
    expect(contains(net, parseRange("192.0.2.128/25"))).toBe(true);
    expect(contains(net, parseRange("192.0.2.0/23", { hostBits: "mask" }))).toBe(false);
    expect(contains(net, parseRange("192.0.2.250-192.0.3.1"))).toBe(false);
    expect(contains(parseRange("0.0.0.0/0"), parseRange("2001:db8::1"))).toBe(false);
    expect(contains(parseRange("::/0"), parseRange("::ffff:192.0.2.1", { mapped: "ipv6" }))).toBe(
      true,
    );
  });

  it("knows which ranges are CIDR blocks", () => {
    expect(prefixLength(parseRange("192.0.2.0-192.0.2.127"))).toBe(25);
    expect(prefixLength(parseRange("192.0.2.1-192.0.2.128"))).toBeNull();
    expect(prefixLength(parseRange("192.0.2.0-192.0.2.2"))).toBeNull();
    expect(prefixLength(parseRange("0.0.0.0/0"))).toBe(0);
    expect(prefixLength(parseRange("::/0"))).toBe(0);
    expect(prefixLength(parseRange("2001:db8::-2001:db8::ffff"))).toBe(112);
    expect(prefixLength(parseRange("2001:db8::1-2001:db8::2"))).toBeNull();
  });
});
