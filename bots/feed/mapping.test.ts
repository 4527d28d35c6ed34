import { describe, expect, it } from "vitest";
import { compileMapping, MappingError } from "./mapping.js";
import type { FeedRecord } from "./record.js";

const ctx = { feed: "test-feed", feedUrl: "https://example.com/feed.csv" };
const json = (r: FeedRecord, m: Parameters<typeof compileMapping>[0]) =>
  compileMapping(m, ctx)(r)?.toJSON();

describe("mapping", () => {
  it("renames, parses times, splits, lower-cases, translates and filters values", () => {
    const record: FeedRecord = {
      line: 3,
      fields: {
        dst_ip: " 192.0.2.1 ",
        first_seen: "2024-03-14 10:09:07",
        tags: "Mirai, Botnet,,None",
        threat: "1",
        host: "Example.COM",
        empty: "",
        ignored: "x",
      },
    };
    expect(
      json(record, {
        fields: {
          dst_ip: "ip",
          first_seen: { key: "source time", time: "YYYY-MM-DD HH:mm:ss" },
          tags: { key: "tags", split: ",", lower: true, match: "^(?!none$)" },
          threat: { key: "type", values: { "1": "malware" } },
          host: { key: "domain name", lower: true },
          empty: "description",
        },
        constants: { feeder: "example" },
      }),
    ).toEqual({
      ip: ["192.0.2.1"],
      "source time": ["2024-03-14 10:09:07Z"],
      tags: ["botnet", "mirai"],
      type: ["malware"],
      "domain name": ["example.com"],
      feeder: ["example"],
      feed: ["test-feed"],
      "feed url": ["https://example.com/feed.csv"],
    });
  });

  it("keeps unmapped fields under their own name in lower case when asked", () => {
    const record: FeedRecord = {
      line: 1,
      fields: { IP: "192.0.2.1", Malware: "Emotet", Port: ["22", "2222"] },
    };
    expect(
      json(record, { fields: { IP: "ip" }, keepUnmapped: true, constants: { feed: "mine" } }),
    ).toEqual({
      ip: ["192.0.2.1"],
      malware: ["Emotet"],
      port: ["22", "2222"],
      feed: ["mine"],
      "feed url": ["https://example.com/feed.csv"],
    });
  });

  it("puts list entries under the key of their kind, unless the mapping names them", () => {
    const m = { fields: {} };
    expect(
      json({ line: 1, fields: { entry: "192.0.2.0/24", description: "SBL1" }, kind: "cidr" }, m),
    ).toMatchObject({
      netblock: ["192.0.2.0/24"],
      description: ["SBL1"],
    });
    expect(
      json({ line: 1, fields: { entry: "192.0.2.1-192.0.2.9" }, kind: "range" }, m),
    ).toMatchObject({ netblock: ["192.0.2.1-192.0.2.9"] });
    expect(json({ line: 1, fields: { entry: "example.com" }, kind: "domain" }, m)).toMatchObject({
      "domain name": ["example.com"],
    });
    expect(
      json({ line: 1, fields: { entry: "http://example.com/" }, kind: "url" }, m),
    ).toMatchObject({ url: ["http://example.com/"] });
    const renamed = json(
      { line: 1, fields: { entry: "192.0.2.1", description: "SBL1" }, kind: "ip" },
      { fields: { description: "sblid" } },
    );
    expect(renamed).toMatchObject({ ip: ["192.0.2.1"], sblid: ["SBL1"] });
    expect(renamed?.["description"]).toBeUndefined();
  });

  it("builds a value from several fields with a template, none when one is empty", () => {
    const m = { fields: { range: { key: "netblock", template: "{Start}-{End}" } } };
    expect(
      json({ line: 1, fields: { Start: "192.0.2.0", End: " 192.0.2.255 " } }, m),
    ).toMatchObject({
      netblock: ["192.0.2.0-192.0.2.255"],
    });
    expect(json({ line: 1, fields: { Start: "192.0.2.0", End: "" } }, m)).toBeUndefined();
  });

  it("splits one field into several keys by the named groups of match", () => {
    const m = {
      fields: {
        ioc: { match: "^(?<ip>[\\d.]+):(?<port>\\d+)$", groups: { ip: "ip", port: "port" } },
      },
    };
    expect(json({ line: 1, fields: { ioc: " 192.0.2.1:443 " } }, m)).toMatchObject({
      ip: ["192.0.2.1"],
      port: ["443"],
    });
    // A value the regex does not match gives nothing, like any match.
    expect(json({ line: 1, fields: { ioc: "example.com" } }, m)).toBeUndefined();
  });

  it("throws a MappingError naming the field and value of a bad time", () => {
    const mapper = compileMapping({ fields: { seen: { key: "source time", time: "iso" } } }, ctx);
    expect(() => mapper({ line: 9, fields: { seen: "yesterday" } })).toThrow(MappingError);
    expect(() => mapper({ line: 9, fields: { seen: "yesterday" } })).toThrow(
      'field "seen": "yesterday" is not a time (iso)',
    );
  });

  it("gives no event when no mapped field has a value", () => {
    expect(
      json(
        { line: 1, fields: { other: "x", ip: "" } },
        { fields: { ip: "ip" }, constants: { type: "t" } },
      ),
    ).toBeUndefined();
  });
});
