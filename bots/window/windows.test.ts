import { describe, expect, it } from "vitest";
import { Event } from "../../core/index.js";
import { Windows } from "./windows.js";

const A = new Event({ ip: "192.0.2.1" });
const B = new Event({ ip: "192.0.2.2" });

describe("Windows", () => {
  it("keeps windows in expiry order as repeats extend them", () => {
    const w = new Windows();
    expect(w.see("a", A, 100)).toBe(true);
    expect(w.see("b", B, 150)).toBe(true);
    expect(w.see("a", A, 200)).toBe(false);
    expect(w.nextExpiry()).toBe(150);
    expect(w.takeExpired(149)).toEqual([]);
    expect(w.takeExpired(150).map((x) => x.hash)).toEqual(["b"]);
    expect(w.takeExpired(10_000)).toEqual([{ hash: "a", event: A, expires: 200, repeats: 1 }]);
    expect(w.nextExpiry()).toBeUndefined();
  });

  it("round-trips through its state file shape, sorted and clamped to the window", () => {
    const w = new Windows();
    w.see("b", B, 500);
    w.see("a", A, 300);
    const back = Windows.fromJSON(JSON.parse(JSON.stringify(w)), 400);
    expect(back.takeExpired(10_000)).toEqual([
      { hash: "a", event: A, expires: 300, repeats: 0 },
      { hash: "b", event: B, expires: 400, repeats: 0 },
    ]);
  });

  it("refuses files that are not its own", () => {
    expect(() => Windows.fromJSON({ windows: [] }, 0)).toThrow("not a window state file");
    expect(() =>
      Windows.fromJSON({ version: 1, windows: [{ hash: "a", event: {}, expires: "soon" }] }, 0),
    ).toThrow("window 0: needs a hash and an expiry");
  });
});
