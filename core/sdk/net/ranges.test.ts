import { describe, expect, it } from "vitest";
import { parseAddr, type Addr } from "./ip.js";
import { RangeSet } from "./ranges.js";

const ip = (text: string): Addr => {
  const a = parseAddr(text);
  if (!a) throw new Error(`not an IP: ${text}`);
  return a;
};

function cidrs(list: string[]) {
  const set = new RangeSet();
  const ids = list.map((c) => {
    const [base = "", bits = ""] = c.split("/");
    return set.addCidr(ip(base), Number(bits));
  });
  const index = set.build();
  const find = (text: string) => {
    const id = index.find(ip(text));
    return id < 0 ? undefined : list[ids.indexOf(id)];
  };
  return { index, find };
}

describe("RangeSet / RangeIndex", () => {
  it("finds the longest prefix, IPv4 and IPv6, and nothing outside", () => {
    const { find } = cidrs([
      "192.0.2.0/24",
      "192.0.2.128/25",
      "192.0.2.192/26",
      "198.51.100.0/24",
      "2001:db8::/32",
      "2001:db8:1::/48",
    ]);
    expect(find("192.0.2.1")).toBe("192.0.2.0/24");
    expect(find("192.0.2.130")).toBe("192.0.2.128/25");
    expect(find("192.0.2.200")).toBe("192.0.2.192/26");
    expect(find("192.0.2.255")).toBe("192.0.2.192/26");
    expect(find("198.51.100.0")).toBe("198.51.100.0/24");
    expect(find("198.51.101.0")).toBeUndefined();
    expect(find("203.0.113.1")).toBeUndefined();
    expect(find("2001:db8::1")).toBe("2001:db8::/32");
    expect(find("2001:db8:1:ffff::1")).toBe("2001:db8:1::/48");
    expect(find("2001:db8:2::1")).toBe("2001:db8::/32");
    expect(find("2001:db9::1")).toBeUndefined();
  });

  it("covers the ends of the address space", () => {
    const { find } = cidrs(["0.0.0.0/0", "255.255.255.255/32", "::/0", "ffff::/16"]);
    expect(find("0.0.0.0")).toBe("0.0.0.0/0");
    expect(find("255.255.255.254")).toBe("0.0.0.0/0");
    expect(find("255.255.255.255")).toBe("255.255.255.255/32");
    expect(find("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).toBe("ffff::/16");
    expect(find("fffe::1")).toBe("::/0");
  });

  it("names a range as a CIDR when it is one, else first-last", () => {
    const set = new RangeSet();
    const a = set.add(ip("192.0.2.0"), ip("192.0.2.255"));
    const b = set.add(ip("192.0.2.10"), ip("192.0.2.20"));
    const c = set.add(ip("2001:db8::"), ip("2001:db8::ffff"));
    const d = set.add(ip("2001:db8::1"), ip("2001:db8::2"));
    const index = set.build();
    expect([a, b, c, d].map((id) => index.text(id))).toEqual([
      "192.0.2.0/24",
      "192.0.2.10-192.0.2.20",
      "2001:db8::/112",
      "2001:db8::1-2001:db8::2",
    ]);
  });

  it("picks the narrowest of overlapping ranges; of identical ones, the last added", () => {
    const set = new RangeSet();
    const wide = set.add(ip("192.0.2.0"), ip("192.0.2.100"));
    const left = set.add(ip("192.0.2.40"), ip("192.0.2.60"));
    const right = set.add(ip("192.0.2.50"), ip("192.0.2.200")); // overlaps both partly
    set.add(ip("198.51.100.0"), ip("198.51.100.9"));
    const again = set.add(ip("198.51.100.0"), ip("198.51.100.9"));
    const index = set.build();
    expect(index.find(ip("192.0.2.39"))).toBe(wide);
    expect(index.find(ip("192.0.2.55"))).toBe(left);
    expect(index.find(ip("192.0.2.61"))).toBe(wide);
    expect(index.find(ip("192.0.2.101"))).toBe(right);
    expect(index.find(ip("192.0.2.201"))).toBe(-1);
    expect(index.find(ip("198.51.100.5"))).toBe(again);
  });

  it("agrees with a brute-force search on random ranges", () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const set = new RangeSet();
    const ranges: [number, number, number][] = [];
    for (let i = 0; i < 300; i++) {
      const first = 0xc0000200 + rnd(1000);
      const last = first + rnd(i % 3 === 0 ? 400 : 20);
      ranges.push([first, last, set.add({ v: 4, n: first }, { v: 4, n: last })]);
    }
    const index = set.build();
    for (let n = 0xc0000200 - 5; n < 0xc0000200 + 1500; n++) {
      let best = -1;
      let width = Infinity;
      for (const [f, l, id] of ranges) {
        if (f <= n && n <= l && l - f <= width) [best, width] = [id, l - f];
      }
      expect(index.find({ v: 4, n })).toBe(best);
    }
  });
});
