import { describe, expect, it } from "vitest";
import { addrProblem, formatAddr, isLoopback, parseAddr, reverseName, type Addr } from "./ip.js";

const ip = (text: string, mapped?: "ipv4" | "ipv6"): Addr => {
  const a = parseAddr(text, mapped === undefined ? undefined : { mapped });
  if (!a) throw new Error(`not an IP: ${text}`);
  return a;
};
const canonical = (text: string) => formatAddr(ip(text));

describe("parseAddr", () => {
  it("reads IPv4 as inet_pton does: four decimal parts, 0-255, nothing else", () => {
    expect(ip("192.0.2.1")).toEqual({ v: 4, n: 0xc0000201 });
    expect(ip("0.0.0.0")).toEqual({ v: 4, n: 0 });
    expect(ip("255.255.255.255")).toEqual({ v: 4, n: 0xffffffff });
    for (const bad of ["192.0.2.256", "192.0.2", "192.0.2.1.5", "0x7f.0.0.1", "3221225985", ""]) {
      expect(parseAddr(bad), bad).toBeNull();
    }
  });

  it("refuses leading zeros rather than reading them as octal, and says why", () => {
    // inet_aton and ipaddr.js read 010.0.0.1 as 8.0.0.1; a person usually means 10.0.0.1.
    for (const bad of ["010.0.0.1", "192.0.2.01", "00.0.0.0", "::ffff:192.0.2.01"]) {
      expect(parseAddr(bad), bad).toBeNull();
    }
    expect(addrProblem("010.0.0.1")).toBe(
      "leading zeros are ambiguous (some tools read them as octal): write 10.0.0.1",
    );
    expect(addrProblem("192.0.2.300")).toBe("not an IP address");
  });

  it("refuses zone ids, which name a link and are no part of the address", () => {
    expect(parseAddr("fe80::1%eth0")).toBeNull();
    expect(parseAddr("fe80::1%")).toBeNull();
    expect(addrProblem("fe80::1%eth0")).toMatch(/^a zone id \(%eth0\) names a link/);
  });

  it("refuses surrounding spaces and brackets: callers trim what their format allows", () => {
    for (const bad of [" 192.0.2.1", "192.0.2.1 ", "[2001:db8::1]", "2001:db8::1/128"]) {
      expect(parseAddr(bad), bad).toBeNull();
    }
  });

  it("reads IPv4-mapped IPv6 as IPv4 by default, as IPv6 when asked", () => {
    expect(ip("::ffff:192.0.2.1")).toEqual(ip("192.0.2.1"));
    expect(ip("::FFFF:c000:0201")).toEqual(ip("192.0.2.1"));
    const kept = ip("::ffff:192.0.2.1", "ipv6");
    expect(kept.v).toBe(6);
    expect(formatAddr(kept)).toBe("::ffff:192.0.2.1");
    // Only ::ffff:0:0/96 is mapped: IPv4-compatible ::192.0.2.1 (deprecated) stays IPv6, the
    // address written (ipaddr.js alone reads it as ::ffff:192.0.2.1).
    expect(ip("::192.0.2.1")).toEqual({ v: 6, w: Uint32Array.of(0, 0, 0, 0xc0000201) });
    expect(formatAddr(ip("::192.0.2.1"))).toBe("::c000:201");
  });
});

describe("formatAddr", () => {
  it("writes RFC 5952 text: lower case, no leading zeros, the longest zero run as ::", () => {
    expect(canonical("2001:0DB8:0000:0000:0000:0000:0000:0001")).toBe("2001:db8::1");
    expect(canonical("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1"); // §4.2.3: the first
    expect(canonical("2001:db8:0:1:0:0:0:1")).toBe("2001:db8:0:1::1"); // §4.2.3: the longest
    expect(canonical("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1"); // §4.2.2: one 0 stays
    expect(canonical("::")).toBe("::");
    expect(canonical("0:0:0:0:0:0:0:1")).toBe("::1");
    expect(canonical("2001:db8::")).toBe("2001:db8::");
  });

  it("round-trips any address through its text", () => {
    let seed = 1;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    for (let i = 0; i < 500; i++) {
      // Words with zero runs of every length, which is where formatting goes wrong.
      const w = Uint32Array.from({ length: 4 }, () => (rnd() % 3 === 0 ? 0 : rnd()));
      if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) continue; // mapped: read back as IPv4
      const a: Addr = { v: 6, w };
      expect(parseAddr(formatAddr(a))).toEqual(a);
      const v4: Addr = { v: 4, n: rnd() };
      expect(parseAddr(formatAddr(v4))).toEqual(v4);
    }
  });
});

describe("isLoopback / reverseName", () => {
  it("knows 127/8 and ::1, mapped or not", () => {
    for (const yes of ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"]) {
      expect(isLoopback(ip(yes)), yes).toBe(true);
    }
    for (const no of ["128.0.0.1", "192.0.2.1", "::", "::2", "2001:db8::1"]) {
      expect(isLoopback(ip(no)), no).toBe(false);
    }
  });

  it("spells reversed octets and nibbles (RFC 5782 §2.1, §2.4)", () => {
    expect(reverseName(ip("192.0.2.10"))).toBe("10.2.0.192");
    expect(reverseName(ip("2001:db8::1:2"))).toBe(
      "2.0.0.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2",
    );
  });
});
