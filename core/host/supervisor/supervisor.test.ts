import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { Supervisor, type InstanceStatus } from "./supervisor.js";

const log = pino({ level: "silent" });
const node = (code: string) => ({ command: process.execPath, args: ["-e", code] });

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never: ${what}`);
}

describe("Supervisor", () => {
  it("restarts a crashing instance with backoff and stops it cleanly", async () => {
    let last: InstanceStatus[] = [];
    const sup = new Supervisor({
      log,
      backoff: { initial: 20, max: 100, healthyAfter: 60_000 },
      onChange: (s) => (last = s),
    });
    await sup.apply([{ id: "crasher", fingerprint: "1", ...node("process.exit(3)") }]);
    await until(() => (last[0]?.restarts ?? 0) >= 3, "three restarts");
    expect(last[0]?.lastExit).toBe("exit code 3");
    await sup.stop();
    expect(sup.statuses()[0]?.state).toBe("stopped");
  });

  it("stops a running instance with SIGTERM and restarts only changed ones on reload", async () => {
    const sup = new Supervisor({ log });
    const keep = { id: "keep", fingerprint: "a", ...node("setInterval(() => {}, 1000)") };
    const change = { id: "change", fingerprint: "a", ...node("setInterval(() => {}, 1000)") };
    await sup.apply([keep, change]);
    const before = Object.fromEntries(sup.statuses().map((s) => [s.id, s.pid]));
    await sup.apply([keep, { ...change, fingerprint: "b" }]);
    const after = Object.fromEntries(sup.statuses().map((s) => [s.id, s.pid]));
    expect(after.keep).toBe(before.keep);
    expect(after.change).not.toBe(before.change);
    await sup.apply([keep]);
    expect(sup.statuses().map((s) => s.id)).toEqual(["keep"]);
    await sup.stop();
    expect(sup.statuses().every((s) => s.state === "stopped")).toBe(true);
  });

  it("does not restart an instance that stopped on a config error", async () => {
    let last: InstanceStatus[] = [];
    const sup = new Supervisor({
      log,
      backoff: { initial: 20, max: 100, healthyAfter: 60_000 },
      onChange: (s) => (last = s),
    });
    await sup.apply([{ id: "misconfigured", fingerprint: "1", ...node("process.exit(78)") }]);
    await until(() => last[0]?.state === "failed", "failed state");
    await new Promise((r) => setTimeout(r, 200));
    expect(last[0]?.restarts).toBe(0);
    expect(last[0]?.lastExit).toMatch(/config error/);
    await sup.stop();
  });
});
