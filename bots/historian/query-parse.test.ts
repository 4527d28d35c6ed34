import { describe, expect, it } from "vitest";
import { parseClauses, parseSince, splitBy } from "./query-parse.js";

const now = new Date("2026-11-08T12:00:00Z");

describe("parseClauses", () => {
  it("strips since and limit from the end in either order", () => {
    expect(parseClauses("asn = 64496 since 7d limit 5", now)).toEqual({
      rest: "asn = 64496",
      since: "2026-11-01 12:00:00Z",
      limit: 5,
    });
    expect(parseClauses("asn = 64496 limit 5 since 2026-11-01", now)).toEqual({
      rest: "asn = 64496",
      since: "2026-11-01 00:00:00Z",
      limit: 5,
    });
    expect(parseClauses("type = scanner", now)).toEqual({ rest: "type = scanner" });
  });

  it("leaves words inside quoted values alone", () => {
    expect(parseClauses('description = "up since 7d"', now)).toEqual({
      rest: 'description = "up since 7d"',
    });
    expect(parseClauses('description = "a since" since 1d', now).rest).toBe(
      'description = "a since"',
    );
  });

  it("says what is wrong with a bad clause", () => {
    expect(() => parseClauses("asn = 1 since yesterday", now)).toThrow(
      /since: expected a duration like 7d.*got "yesterday"/,
    );
    expect(() => parseClauses("asn = 1 limit many", now)).toThrow(/limit: expected a whole number/);
    expect(() => parseClauses("asn = 1 limit 0", now)).toThrow(/limit/);
    expect(() => parseClauses("asn = 1 since 1d since 2d", now)).toThrow(/since: given twice/);
  });

  it("caps the limit", () => {
    expect(parseClauses("* limit 99999", now, 1000).limit).toBe(1000);
  });
});

describe("parseSince", () => {
  it("reads durations and UTC dates", () => {
    expect(parseSince("12h", now)).toBe("2026-11-08 00:00:00Z");
    expect(parseSince("30m", now)).toBe("2026-11-08 11:30:00Z");
    expect(parseSince("2w", now)).toBe("2026-10-25 12:00:00Z");
    expect(parseSince("2026-11-01T08:30", now)).toBe("2026-11-01 08:30:00Z");
    expect(() => parseSince("2026-02-30", now)).toThrow(/since/);
  });
});

describe("splitBy", () => {
  it("splits at the last by outside quotes, keys may have spaces", () => {
    expect(splitBy("type = scanner by asn")).toEqual({ rule: "type = scanner", key: "asn" });
    expect(splitBy("asn = 1 by domain name")).toEqual({ rule: "asn = 1", key: "domain name" });
    expect(splitBy('description = "by me" by "as name"')).toEqual({
      rule: 'description = "by me"',
      key: "as name",
    });
    expect(splitBy("by cc")).toEqual({ rule: "", key: "cc" });
    expect(splitBy("type = scanner")).toBeUndefined();
    expect(splitBy("type = scanner by ")).toBeUndefined();
  });
});
