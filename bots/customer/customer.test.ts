import { copyFile, mkdtemp, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { testBot, type BotUnderTest } from "../../core/testing.js";
import { customer } from "./customer.js";

const WAIT = { timeout: 10_000, interval: 20 };
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

const A = {
  "abuse email": ["abuse@a.example.com"],
  "customer id": ["a"],
  "customer name": ["Customer A Oy"],
  report: ["daily"],
  "report format": ["csv"],
};
const B = {
  "abuse email": ["noc@b.example.net"],
  "customer id": ["b"],
  "customer name": ["Customer B"],
  report: ["immediate"],
};
const C = { "customer id": ["c"], "customer name": ["Customer C"], report: ["none"] };

let bot: BotUnderTest<typeof customer.params> | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});
const start = async (params: Record<string, unknown>) => {
  bot = await testBot(customer, { reload_check: 0, ...params });
  return bot;
};

describe.each([
  ["customers.yaml", [26, 28, 30, 33]],
  ["customers.csv", [9, 11, 12, 13, 14]],
])("customer bot, %s", (name, bad) => {
  it("maps addresses to the owner of the narrowest network holding them", async () => {
    const b = await start({ file: fixture(name) });
    expect(await b.handle({ ip: "192.0.2.1", type: "scanner" })).toEqual([
      { ...A, ip: ["192.0.2.1"], type: ["scanner"] },
    ]);
    expect(await b.handle({ ip: "192.0.2.130" })).toEqual([{ ...B, ip: ["192.0.2.130"] }]);
    expect(await b.handle({ ip: "198.51.100.15" })).toEqual([{ ...B, ip: ["198.51.100.15"] }]);
    expect(await b.handle({ ip: "2001:db8:a::1" })).toEqual([{ ...A, ip: ["2001:db8:a::1"] }]);
    expect(await b.handle({ ip: "203.0.113.5" })).toEqual([{ ...C, ip: ["203.0.113.5"] }]);
  });

  it("falls back to the AS number when no address matches; an address match wins", async () => {
    const b = await start({ file: fixture(name) });
    expect(await b.handle({ ip: "198.51.100.99", asn: "64496" })).toEqual([
      { ...A, asn: ["64496"], ip: ["198.51.100.99"] },
    ]);
    expect(await b.handle({ asn: "64497" })).toEqual([{ ...B, asn: ["64497"] }]);
    expect(await b.handle({ ip: "192.0.2.130", asn: "64496" })).toEqual([
      { ...B, asn: ["64496"], ip: ["192.0.2.130"] },
    ]);
  });

  it("reports each bad entry with file and line, and uses the rest", async () => {
    const b = await start({ file: fixture(name) });
    expect(b.counters.get("bad entries")).toBe(bad.length);
    const first = `${fixture(name)}:${bad[0]}: customer c: "203.0.113.0/33": prefix length 33 is out of range 0-32 for IPv4`;
    expect(b.warnings).toEqual([`customers file: ${first}; skipped (and ${bad.length - 1} more)`]);
    // c's 192.0.2.129/26 (host bits set) is refused, so the address stays b's; the entries
    // without an id or with a bad email are out.
    expect(await b.handle({ ip: "192.0.2.129" })).toEqual([{ ...B, ip: ["192.0.2.129"] }]);
    expect(await b.handle({ ip: "203.0.113.200" })).toEqual([{ ip: ["203.0.113.200"] }]);
  });
});

describe("customer bot", () => {
  it("gives one event per customer when addresses of several match", async () => {
    const b = await start({ file: fixture("customers.yaml") });
    expect(await b.handle({ ip: ["192.0.2.1", "192.0.2.130"] })).toEqual([
      { ...A, ip: ["192.0.2.1", "192.0.2.130"] },
      { ...B, ip: ["192.0.2.1", "192.0.2.130"] },
    ]);
  });

  it("passes, marks or drops events outside every own network", async () => {
    const outside = { ip: "198.51.100.99", type: "spam" };
    const pass = await start({ file: fixture("customers.yaml") });
    expect(await pass.handle(outside)).toEqual([{ ip: ["198.51.100.99"], type: ["spam"] }]);
    const mark = await start({ file: fixture("customers.yaml"), outside: "mark" });
    expect(await mark.handle(outside)).toEqual([
      { ip: ["198.51.100.99"], "own network": ["no"], type: ["spam"] },
    ]);
    expect(await mark.handle({ type: "spam" })).toEqual([
      { "own network": ["no"], type: ["spam"] },
    ]);
    const drop = await start({ file: fixture("customers.yaml"), outside: "drop" });
    expect(await drop.handle(outside)).toEqual([]);
    expect(await drop.handle({ ip: "192.0.2.1" })).toEqual([{ ...A, ip: ["192.0.2.1"] }]);
    expect(drop.counters.get("outside")).toBe(1);
  });

  it("in augment mode emits the customer keys with the original's id", async () => {
    const b = await start({ file: fixture("customers.yaml"), mode: "augment" });
    const [out] = await b.handle({ ip: "192.0.2.130" });
    expect(out).toEqual({ ...B, "augment sha-1": [expect.stringMatching(/^[0-9a-f]{40}$/)] });
  });

  it("reloads the file when it changes; a broken file keeps the customers in use", async () => {
    const dir = await mkdtemp(join(tmpdir(), "customers-"));
    const file = join(dir, "customers.yaml");
    await copyFile(fixture("customers.yaml"), file);
    // Checked every 20 ms; a change is loaded once two checks in a row see the same file.
    const b = await start({ file, reload_check: "20ms" });
    const replace = async (text: string) => {
      await writeFile(`${file}.tmp`, text);
      await rename(`${file}.tmp`, file);
    };
    await replace("customers:\n  - id: z\n    networks: [192.0.2.0/24]\n");
    await vi.waitFor(async () => {
      expect(await b.handle({ ip: "192.0.2.130" })).toEqual([
        { "customer id": ["z"], ip: ["192.0.2.130"] },
      ]);
    }, WAIT);
    await replace("customers:\n  - id: [unclosed\n");
    await vi.waitFor(() => expect(b.counters.get("failed reloads")).toBe(1), WAIT);
    expect(await b.handle({ ip: "192.0.2.130" })).toEqual([
      { "customer id": ["z"], ip: ["192.0.2.130"] },
    ]);
    expect(b.warnings.at(-1)).toMatch(
      /reload failed, the customers in use stay: .*customers\.yaml:3: Flow sequence/,
    );
  });

  it("fails at start on a file it cannot use", async () => {
    const dir = await mkdtemp(join(tmpdir(), "customers-"));
    await writeFile(join(dir, "c.csv"), "name,network\nx,192.0.2.0/24\n");
    await expect(testBot(customer, { file: join(dir, "c.csv") })).rejects.toThrow(
      /c\.csv:1: expected a header with id and network/,
    );
    await expect(testBot(customer, {})).rejects.toThrow(/file: required/);
  });
});
