import { describe, expect, it } from "vitest";
import { parseRule } from "../../core/index.js";
import { ruleToSelector, withTimeBound } from "./mango.js";

const tr = (text: string, shape: "scalar" | "array" = "scalar") =>
  ruleToSelector(parseRule(text), shape);

describe("ruleToSelector", () => {
  it("pushes down key = value on an indexed key, exactly", () => {
    expect(tr("asn = 64496")).toEqual({ selector: { asn: "64496" }, exact: true });
    expect(tr("asn = 64496", "array")).toEqual({
      selector: { asn: { $elemMatch: { $eq: "64496" } } },
      exact: true,
    });
  });

  it("ANDs the pushed parts and is exact only when every part is", () => {
    expect(tr("asn = 64496 and type = scanner")).toEqual({
      selector: { $and: [{ asn: "64496" }, { type: "scanner" }] },
      exact: true,
    });
    expect(tr('asn = 64496 and description = "x"')).toEqual({
      selector: { asn: "64496" },
      exact: false,
    });
  });

  it("pushes an or only when every branch narrows", () => {
    expect(tr("asn = 1 or cc = FI")).toEqual({
      selector: { $or: [{ asn: "1" }, { cc: "FI" }] },
      exact: true,
    });
    expect(tr("asn = 1 or description = x")).toEqual({ selector: {}, exact: false });
  });

  it("turns an IPv4 CIDR into a prefix string range, exact when octet-aligned", () => {
    const range = { $gt: "192.0.2.", $lt: "192.0.2/" };
    expect(tr("ip in 192.0.2.0/24")).toEqual({ selector: { ip: range }, exact: true });
    expect(tr("ip in 192.0.2.0/25")).toEqual({ selector: { ip: range }, exact: false });
    expect(tr("ip in 192.0.2.0/24", "array")).toEqual({
      selector: { ip: { $elemMatch: range } },
      exact: true,
    });
    expect(tr("ip in 192.0.2.7")).toEqual({ selector: { ip: "192.0.2.7" }, exact: true });
    expect(tr("ip in 0.0.0.0/0")).toEqual({ selector: {}, exact: false });
  });

  it("filters what Mango cannot answer soundly: regexps, domains, IPv6, negations, fuzzy", () => {
    for (const text of [
      "url = /login/",
      '"domain name" in example.com',
      "ip in 2001:db8::/32",
      "asn != 64496",
      "no asn = 64496",
      "64496",
      "description = x",
      "time = x",
    ]) {
      expect(tr(text), text).toEqual({ selector: {}, exact: false });
    }
    expect(tr("*")).toEqual({ selector: {}, exact: true });
  });

  it("keeps the time bound outside the rule", () => {
    expect(withTimeBound({}, "2026-11-01 00:00:00Z")).toEqual({
      time: { $gte: "2026-11-01 00:00:00Z" },
    });
    expect(withTimeBound({ asn: "1" }, "a", "b")).toEqual({
      $and: [{ time: { $gte: "a", $lte: "b" } }, { asn: "1" }],
    });
    // One level of $and (PouchDB fails on deeper nesting).
    expect(withTimeBound({ $and: [{ asn: "1" }, { cc: "FI" }] }, "a")).toEqual({
      $and: [{ time: { $gte: "a" } }, { asn: "1" }, { cc: "FI" }],
    });
  });
});
