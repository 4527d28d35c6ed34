import { describe, expect, it } from "vitest";
import { checkZones, queryName, readAnswer } from "./zones.js";

const [IP, DOMAIN] = checkZones([
  "Zen.Example.",
  { zone: "dbl.example", kind: "domain", codes: { "127.0.1.2": "spam domain" } },
]);

describe("queryName", () => {
  it("reverses IPv4 octets and IPv6 nibbles under the zone (RFC 5782 §2.1, §2.4)", () => {
    expect(IP && queryName("192.0.2.10", IP)).toBe("10.2.0.192.zen.example");
    expect(IP && queryName("::ffff:192.0.2.10", IP)).toBe("10.2.0.192.zen.example");
    expect(IP && queryName("2001:db8::1:2", IP)).toBe(
      "2.0.0.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.example",
    );
  });

  it("puts domains under domain zones, lower case, and skips what is neither", () => {
    expect(DOMAIN && queryName("WWW.Example.com.", DOMAIN)).toBe("www.example.com.dbl.example");
    expect(DOMAIN && queryName("192.0.2.1", DOMAIN)).toBeUndefined();
    expect(DOMAIN && queryName("not a name", DOMAIN)).toBeUndefined();
    expect(IP && queryName("example.com", IP)).toBeUndefined();
    expect(IP && queryName("192.0.2.010", IP)).toBeUndefined();
    // A zone id names a link; the address it was on is not what a DNSBL lists.
    expect(IP && queryName("fe80::1%eth0", IP)).toBeUndefined();
  });
});

describe("readAnswer", () => {
  it("tells listings, refusals and bogus answers apart", () => {
    expect(
      DOMAIN &&
        readAnswer(
          ["127.0.1.2", "127.0.1.99", "127.255.255.255", "127.255.255.1", "10.0.0.1"],
          DOMAIN,
        ),
    ).toEqual({
      listings: [
        { code: "127.0.1.2", reason: "spam domain" },
        { code: "127.0.1.99", reason: "listed (127.0.1.99)" },
      ],
      refusals: [
        { code: "127.255.255.255", meaning: "excessive number of queries" },
        { code: "127.255.255.1", meaning: "error code" },
      ],
      bogus: ["10.0.0.1"],
    });
  });
});

describe("checkZones", () => {
  it("reads a bare name as an ip list and refuses duplicates", () => {
    expect(checkZones("zen.example")).toEqual([{ zone: "zen.example", kind: "ip", codes: {} }]);
    expect(() => checkZones(["zen.example", "ZEN.example"])).toThrow(
      "zone zen.example is listed twice",
    );
    expect(() => checkZones([{ zone: "bad zone" }])).toThrow(
      "zones[0].zone: expected a DNS zone name",
    );
    expect(() => checkZones([{ zone: "z.example", codes: { "127.255.255.254": "x" } }])).toThrow(
      /not a listing code/,
    );
  });
});
