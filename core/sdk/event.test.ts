import { describe, expect, it } from "vitest";
import { compareCodePoints, Event } from "./event.js";

describe("Event", () => {
  it("keeps values of a key as a set", () => {
    const ev = new Event().add("ip", "192.0.2.1", "192.0.2.1", "192.0.2.2");
    expect(ev.values("ip").sort()).toEqual(["192.0.2.1", "192.0.2.2"]);
  });

  it("drops a key whose last value is discarded", () => {
    const ev = new Event({ a: ["1", "2"] }).discard("a", "1", "2", "3");
    expect(ev.contains("a")).toBe(false);
    expect(ev.keys()).toEqual([]);
  });

  it("does not create a key when updated with no values", () => {
    expect(new Event().update("a", []).contains("a")).toBe(false);
  });

  it("clears a key and ignores a missing one", () => {
    const ev = new Event({ a: "1", b: "2" }).clear("a").clear("zzz");
    expect(ev.toJSON()).toEqual({ b: ["2"] });
  });

  it("answers contains with and without key and value", () => {
    const ev = new Event({ key: "1" });
    expect(new Event().contains()).toBe(false);
    expect(ev.contains()).toBe(true);
    expect(ev.contains("key")).toBe(true);
    expect(ev.contains(undefined, "1")).toBe(true);
    expect(ev.contains("key", "1")).toBe(true);
    expect(ev.contains("other", "2")).toBe(false);
  });

  it("gives one value or a fallback", () => {
    const ev = new Event({ key: "1" });
    expect(ev.value("key")).toBe("1");
    expect(ev.value("missing")).toBeUndefined();
    expect(ev.value("missing", "dflt")).toBe("dflt");
    expect(new Event().value(undefined, "x")).toBe("x");
    expect(new Event({ a: "1", b: "1" }).values()).toEqual(["1"]);
  });

  it("unions and differences like AbuseHelper", () => {
    const a = new Event({ a: ["1", "2"] });
    expect(a.union({ a: ["1", "3"] }).toJSON()).toEqual({ a: ["1", "2", "3"] });
    expect(a.difference({ a: ["1", "3"] }).toJSON()).toEqual({ a: ["2"] });
    expect(a.toJSON()).toEqual({ a: ["1", "2"] });
  });

  it("compares equal regardless of insertion order", () => {
    const x = new Event().add("b", "2").add("a", "1", "0");
    const y = new Event().add("a", "0").add("b", "2").add("a", "1");
    expect(x.equals(y)).toBe(true);
    expect(x.equals(y.union({ c: "3" }))).toBe(false);
    expect(x.equals(new Event({ a: ["0", "1"], b: "3" }))).toBe(false);
  });

  it("hashes {a: b} to AbuseHelper's id", () => {
    expect(new Event({ a: "b" }).id()).toBe("edf6294fc1d3f9fe8be4a2d5626788bcfde05e62");
  });

  it("hashes the same pairs to the same id in any order, different pairs differently", () => {
    const x = new Event().add("ip", "192.0.2.1").add("asn", "64496", "64497");
    const y = new Event().add("asn", "64497").add("ip", "192.0.2.1").add("asn", "64496");
    expect(x.id()).toBe(y.id());
    expect(x.id()).not.toBe(new Event({ ip: "192.0.2.1", asn: "64496" }).id());
    // "ab"=>"" and "a"=>"b" must differ: the 0xC0 separator keeps pairs apart.
    expect(new Event({ ab: "" }).id()).not.toBe(new Event({ a: "b" }).id());
  });

  it("sorts by code point like Python, not by UTF-16 unit", () => {
    // U+FF5E (fullwidth tilde) < U+1F600 (emoji) by code point, but not by UTF-16 unit.
    expect(compareCodePoints("\uff5e", "\u{1f600}")).toBeLessThan(0);
    expect(["\u{1f600}", "\uff5e", "a"].sort(compareCodePoints)).toEqual([
      "a",
      "\uff5e",
      "\u{1f600}",
    ]);
  });

  it("reads the sender JSON shape and rejects other types with the key named", () => {
    expect(Event.fromJson({ ip: "192.0.2.1", type: ["scanner", "spam"] }).toJSON()).toEqual({
      ip: ["192.0.2.1"],
      type: ["scanner", "spam"],
    });
    expect(() => Event.fromJson({ port: 25 })).toThrow(/key "port": expected a string, got number/);
    expect(() => Event.fromJson([1])).toThrow(/JSON object/);
  });
});
