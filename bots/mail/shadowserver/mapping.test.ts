import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { convert } from "./convert.js";
import { formatMapping } from "./format.js";
import {
  checkMapping,
  genericKey,
  MappingError,
  reportOf,
  ruleFor,
  SHIPPED_MAPPING,
  shippedMapping,
} from "./mapping.js";

const shipped = shippedMapping();

describe("the shipped mapping", () => {
  it("covers the common report families", () => {
    const types = Object.keys(shipped.reports);
    expect(types.length).toBeGreaterThanOrEqual(40);
    for (const type of [
      "scan_http",
      "scan_ssl",
      "scan_rdp",
      "scan6_http",
      "event4_sinkhole",
      "event4_sinkhole_http",
      "event4_honeypot_brute_force",
      "event4_honeypot_ddos_amp",
      "blocklist",
      "compromised_website",
      "device_id",
    ]) {
      expect(types).toContain(type);
    }
    expect(reportOf(shipped, "ddos_amplification")?.type).toBe("event4_honeypot_ddos_amp");
  });

  it("gives every report a feed, a category and a type, and rules only for its own columns", () => {
    for (const [type, r] of Object.entries(shipped.reports)) {
      expect(r.feed, type).not.toBe("");
      expect(r.category, type).toMatch(/^(abuse|fraud|malware|info)$/);
      expect(r.type, type).toBeTruthy();
      for (const column of Object.keys(r.map ?? {})) expect(r.columns, type).toContain(column);
    }
  });

  it("is the file formatMapping writes, so an update rewrites only what changed", () => {
    expect(formatMapping(shipped)).toBe(readFileSync(SHIPPED_MAPPING, "utf8"));
    expect(checkMapping(JSON.parse(formatMapping(shipped)))).toEqual(shipped);
  });

  it("maps a column by the report's rule, the common rule, or its own name", () => {
    const spam = shipped.reports["spam_url"];
    expect(ruleFor(shipped, spam, "src_ip")).toEqual({ key: "src ip", convert: "ip" });
    expect(ruleFor(shipped, shipped.reports["event4_sinkhole"], "src_ip")).toEqual({
      key: "ip",
      convert: "ip",
    });
    expect(ruleFor(shipped, undefined, "Weird_Field")).toEqual({
      key: "weird field",
      convert: "text",
    });
    expect(genericKey("category")).toBe("shadowserver category");
  });
});

describe("checkMapping", () => {
  const base = { format: 1, source: "test", groups: { g: "a b" }, reports: {} };
  const bad = (raw: unknown) => {
    try {
      checkMapping(raw, "m.json");
    } catch (err) {
      expect(err).toBeInstanceOf(MappingError);
      return (err as Error).message;
    }
    throw new Error("accepted");
  };

  it("names the entry that is wrong", () => {
    expect(
      bad({
        ...base,
        reports: { x: { feed: "X", columns: "@g c", map: { c: { convert: "float" } } } },
      }),
    ).toBe(
      "m.json.reports.x.map.c.convert: expected one of text, lower, list, time, ip, address, network, int, asn, nonzero, cc, domain, url",
    );
    expect(bad({ ...base, reports: { x: { feed: "X", columns: "@h" } } })).toBe(
      'm.json.reports.x.columns: no group "h"',
    );
    expect(bad({ ...base, common: { c: { key: "feed" } } })).toBe(
      'm.json.common.c.key: "feed" is set by the handler',
    );
    expect(bad({ ...base, aliases: { old: "new" } })).toBe("m.json.aliases.old: no report new");
    expect(bad({ ...base, format: 2 })).toBe("m.json.format: expected 1");
  });

  it("expands groups into columns", () => {
    const m = checkMapping({ ...base, reports: { x: { feed: "X", columns: "@g c a" } } });
    expect(m.reports["x"]?.columns).toEqual(["a", "b", "c"]);
  });
});

describe("converters", () => {
  const row = { http_host: "shop.example.com", application: "https" };
  const c = (name: Parameters<typeof convert>[0], value: string, r: Record<string, string> = {}) =>
    convert(name, value, r);

  it("read what Shadowserver writes", () => {
    expect(c("time", "2026-11-30 01:12:44")).toEqual({ values: ["2026-11-30 01:12:44Z"] });
    expect(c("time", "2026-11-30T01:12:44+01:00")).toEqual({ values: ["2026-11-30 00:12:44Z"] });
    expect(c("time", "Mon, 30 Nov 2026 01:12:44 GMT")).toEqual({
      values: ["2026-11-30 01:12:44Z"],
    });
    expect(c("ip", "2001:DB8:0:0::1")).toEqual({ values: ["2001:db8::1"] });
    expect(c("address", "192.0.2.0/24")).toEqual({ values: ["192.0.2.0/24"], key: "netblock" });
    expect(c("asn", "AS64496")).toEqual({ values: ["64496"] });
    expect(c("asn", "0")).toEqual({ values: [] });
    expect(c("int", "0080")).toEqual({ values: ["80"] });
    expect(c("cc", "de")).toEqual({ values: ["DE"] });
    expect(c("domain", "WWW.Example.COM.")).toEqual({ values: ["www.example.com"] });
    expect(c("list", "cve-2021-44228; log4j;")).toEqual({ values: ["cve-2021-44228", "log4j"] });
    expect(c("text", "  banner  ")).toEqual({ values: ["  banner  "] });
    expect(c("ip", "   ")).toEqual({ values: [] });
  });

  it("build a URL from a path and the row's host", () => {
    expect(c("url", "/checkout/index.php", row)).toEqual({
      values: ["https://shop.example.com/checkout/index.php"],
    });
    expect(c("url", "GET /a?b=1 HTTP/1.1", { ip: "2001:db8::1" })).toEqual({
      values: ["http://[2001:db8::1]/a?b=1"],
    });
    expect(c("url", "http://example.com/x", row)).toEqual({ values: ["http://example.com/x"] });
    expect(c("url", "/only/a/path")).toEqual({ values: ["/only/a/path"] });
  });

  it("say what is wrong with a value", () => {
    expect(c("ip", "010.0.0.1")).toEqual({
      problem:
        '"010.0.0.1": leading zeros are ambiguous (some tools read them as octal): write 10.0.0.1',
    });
    expect(c("time", "yesterday")).toEqual({ problem: '"yesterday" is not a time' });
    expect(c("int", "12a")).toEqual({ problem: '"12a" is not a whole number' });
    expect(c("cc", "Germany")).toEqual({ problem: '"Germany" is not a two-letter country code' });
    expect(c("network", "192.0.2.1")).toEqual({
      problem: '"192.0.2.1": expected a CIDR like 192.0.2.0/24',
    });
  });
});
