import { describe, expect, it } from "vitest";
import { parseAddr } from "../../core/index.js";
import { indexCustomers } from "./customer-index.js";
import { parseCustomers } from "./customers-file.js";

/** Customer b claims 198.51.100.0/24 as a range, then customer a claims `networks`. */
function load(networks: string[]) {
  const yaml = [
    "customers:",
    "  - id: b",
    '    networks: ["198.51.100.0-198.51.100.255"]',
    "  - id: a",
    "    networks:",
    ...networks.map((n) => `      - "${n}"`),
  ].join("\n");
  const parsed = parseCustomers("c.yaml", yaml);
  const index = indexCustomers("c.yaml", parsed);
  const owner = (ip: string) => {
    const a = parseAddr(ip);
    return a === null ? undefined : index.byAddr(a)?.id;
  };
  return { problems: parsed.problems, owner };
}

describe("customer claims", () => {
  it("refuses a CIDR with host bits set, naming the network, instead of widening it", () => {
    const { problems, owner } = load(["192.0.2.10/24"]);
    expect(problems).toEqual([
      'c.yaml:6: customer a: "192.0.2.10/24": host bits are set after /24: the network is 192.0.2.0/24; skipped',
    ]);
    expect(owner("192.0.2.1")).toBeUndefined();
  });

  it("refuses a CIDR without a prefix length (it used to claim 0.0.0.0/0)", () => {
    const { problems, owner } = load(["192.0.2.0/"]);
    expect(problems).toEqual([
      'c.yaml:6: customer a: "192.0.2.0/": prefix length "" is not a number (0-32 for IPv4); skipped',
    ]);
    expect(owner("203.0.113.1")).toBeUndefined();
  });

  it("takes a range and the CIDR it equals as the same network: the first claim keeps it", () => {
    const { problems, owner } = load(["198.51.100.0/24"]);
    expect(problems).toEqual([
      "c.yaml:6: customer a: 198.51.100.0/24 is already customer b's (line 3); skipped",
    ]);
    expect(owner("198.51.100.7")).toBe("b");
  });

  it("reads an IPv4-mapped claim as the IPv4 network that addresses are looked up in", () => {
    const { problems, owner } = load(["::ffff:203.0.113.0/120", "2001:DB8:0:0::/64"]);
    expect(problems).toEqual([]);
    expect(owner("203.0.113.5")).toBe("a");
    expect(owner("::ffff:203.0.113.5")).toBe("a");
    expect(owner("2001:db8::1")).toBe("a");
  });
});
