import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff.js";

describe("Backoff", () => {
  const opts = { initial: 100, max: 1000, healthyAfter: 5000 };

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
