import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Keepalive } from "./keepalive.js";

describe("Keepalive", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("probes a silent stream, and declares it dead when the probe gets no answer", () => {
    const probe = vi.fn();
    const dead = vi.fn();
    const k = new Keepalive(probe, dead, { intervalMs: 1000, timeoutMs: 500 });
    k.start();
    vi.advanceTimersByTime(900);
    expect(probe).not.toHaveBeenCalled();
    vi.advanceTimersByTime(250);
    expect(probe).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(600);
    expect(dead).toHaveBeenCalledTimes(1);
  });

  it("never probes a stream it keeps hearing from, and forgives a late answer", () => {
    const probe = vi.fn();
    const dead = vi.fn();
    const k = new Keepalive(probe, dead, { intervalMs: 1000, timeoutMs: 500 });
    k.start();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(500);
      k.heard();
    }
    expect(probe).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1250);
    expect(probe).toHaveBeenCalledTimes(1);
    k.heard(); // the pong
    vi.advanceTimersByTime(600);
    expect(dead).not.toHaveBeenCalled();
    k.stop();
  });
});
