import { describe, expect, it } from "vitest";
import { Backoff, backoffDelay } from "./backoff.js";

describe("backoffDelay", () => {
  it("doubles from the initial delay up to the cap", () => {
    const top = (n: number) => backoffDelay(n, { initial: 100, max: 1000, random: () => 0.999999 });
    expect([0, 1, 2, 3, 4, 10].map(top)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("jitters within [half, full] of the step", () => {
    expect(backoffDelay(2, { initial: 100, max: 1000, random: () => 0 })).toBe(200);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(3, { initial: 100, max: 10_000 });
      expect(d).toBeGreaterThanOrEqual(400);
      expect(d).toBeLessThanOrEqual(800);
    }
  });
});

describe("Backoff", () => {
  // The top of each jittered step, to compare steps exactly.
  const opts = { initial: 100, max: 1000, healthyAfter: 5000, random: () => 0.999999 };

  it("doubles while the process keeps crashing fast, up to the cap", () => {
    const b = new Backoff(opts);
    expect([10, 10, 10, 10, 10, 10].map((ran) => b.delayAfter(ran))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it("starts over after a healthy run", () => {
    const b = new Backoff(opts);
    b.delayAfter(10);
    b.delayAfter(10);
    expect(b.delayAfter(6000)).toBe(100);
    expect(b.delayAfter(10)).toBe(200);
  });
});
