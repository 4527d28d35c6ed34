import { describe, expect, it } from "vitest";
import { findCycles } from "./route-checks.js";

const route = (from: string, to: string): { from: string; to: string } => ({ from, to });

describe("findCycles", () => {
  it("finds nothing in a chain or a diamond", () => {
    expect(findCycles([route("a", "b"), route("b", "c"), route("a", "c")])).toEqual([]);
  });

  it("reports each cycle with its rooms and routes, a self-loop too", () => {
    const cycles = findCycles([
      route("raw", "a"),
      route("a", "raw"),
      route("x", "x"),
      route("a", "b"),
    ]);
    expect(cycles).toEqual([
      { rooms: ["raw", "a", "raw"], routes: [0, 1] },
      { rooms: ["x", "x"], routes: [2] },
    ]);
  });

  it("matches rooms by key, so raw and RAW are one room", () => {
    const cycles = findCycles([route("raw", "b"), route("b", "RAW")], (r) => r.toLowerCase());
    expect(cycles[0]?.rooms).toEqual(["raw", "b", "raw"]);
  });
});
