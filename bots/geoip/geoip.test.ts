import { execFile } from "node:child_process";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Event } from "../../core/index.js";
import { testBot } from "../../core/testing.js";
import { geoFacts } from "./database.js";
import { geoip } from "./geoip.js";

const BUILD = fileURLToPath(new URL("fixtures/build-test-mmdb.pl", import.meta.url));
const run = promisify(execFile);
const WAIT = { timeout: 10_000, interval: 20 };

let dir: string;
let database: string;

/** Build the test database (192.0.2.0/24 → FI/CITY, 2001:db8::/32 → SE/Stockholm). */
async function build(out: string, city = "Helsinki"): Promise<void> {
  await run("perl", [BUILD, out, city]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "geoip-test-"));
  database = join(dir, "city.mmdb");
  await build(database);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HELSINKI = { cc: ["FI"], city: ["Helsinki"], latitude: ["60.1699"], longitude: ["24.9384"] };
const STOCKHOLM = {
  cc: ["SE"],
  city: ["Stockholm"],
  latitude: ["59.3293"],
  longitude: ["18.0686"],
};

describe("geoip", () => {
  it("adds country, city and coordinates of IPv4 and IPv6 addresses", async () => {
    const bot = await testBot(geoip, { database });
    expect(await bot.handle({ ip: "192.0.2.7", type: "scanner" })).toEqual([
      { ip: ["192.0.2.7"], type: ["scanner"], ...HELSINKI },
    ]);
    expect(await bot.handle({ ip: "2001:db8::1" })).toEqual([
      { ip: ["2001:db8::1"], ...STOCKHOLM },
    ]);
    expect(await bot.handle({ ip: "::ffff:192.0.2.7" })).toEqual([
      { ip: ["::ffff:192.0.2.7"], ...HELSINKI },
    ]);
    await bot.stop();
  });

  it("adds only what the record holds, the country code upper case", async () => {
    const bot = await testBot(geoip, { database });
    expect(await bot.handle({ ip: "198.51.100.20" })).toEqual([
      { ip: ["198.51.100.20"], cc: ["EE"] },
    ]);
    await bot.stop();
  });

  it("passes events on unchanged when there is no record or no address", async () => {
    const bot = await testBot(geoip, { database });
    expect(await bot.handle({ ip: "203.0.113.9", type: "spam" })).toEqual([
      { ip: ["203.0.113.9"], type: ["spam"] },
    ]);
    expect(await bot.handle({ ip: "mail.example.com" })).toEqual([{ ip: ["mail.example.com"] }]);
    expect(await bot.handle({ ip: "192.0.2.007" })).toEqual([{ ip: ["192.0.2.007"] }]);
    expect(await bot.handle({ "domain name": "example.com" })).toEqual([
      { "domain name": ["example.com"] },
    ]);
    expect(bot.counters.get("no record")).toBe(1);
    expect(bot.counters.get("not an ip")).toBe(2);
    await bot.stop();
  });

  it("looks up every value of every configured key, under the prefix", async () => {
    const bot = await testBot(geoip, {
      database,
      keys: ["source ip", "destination ip"],
      prefix: "geo ",
    });
    const out = await bot.handle({
      "source ip": ["192.0.2.1", "203.0.113.1"],
      "destination ip": "2001:db8:1::5",
      ip: "198.51.100.1",
    });
    expect(out).toEqual([
      {
        "destination ip": ["2001:db8:1::5"],
        "geo cc": ["FI", "SE"],
        "geo city": ["Helsinki", "Stockholm"],
        "geo latitude": ["59.3293", "60.1699"],
        "geo longitude": ["18.0686", "24.9384"],
        ip: ["198.51.100.1"],
        "source ip": ["192.0.2.1", "203.0.113.1"],
      },
    ]);
    await bot.stop();
  });

  it("emits AbuseHelper augments in augment mode, and nothing without facts", async () => {
    const bot = await testBot(geoip, { database, mode: "augment" });
    const event = new Event({ ip: "192.0.2.7", type: "scanner" });
    expect(await bot.handle(event)).toEqual([{ ...HELSINKI, "augment sha-1": [event.id()] }]);
    expect(await bot.handle({ ip: "203.0.113.9" })).toEqual([]);
    await bot.stop();
  });

  it("fails at start on a missing or broken database, naming the path", async () => {
    const missing = join(dir, "nowhere.mmdb");
    // Found by check(), before anything starts (startup.ts check reports it too).
    await expect(testBot(geoip, { database: missing })).rejects.toThrow(
      `database: no such file: ${missing}`,
    );
    const broken = join(dir, "broken.mmdb");
    await writeFile(broken, "this is not a database\n");
    await expect(testBot(geoip, { database: broken })).rejects.toThrow(
      `cannot open GeoIP database ${broken}: not a readable MaxMind (.mmdb) database`,
    );
  });

  it("needs the database param", async () => {
    await expect(testBot(geoip, {})).rejects.toThrow(/database: required/);
  });

  it("reloads the database when the file is replaced, keeping it over a broken copy", async () => {
    const live = join(dir, "live.mmdb");
    await build(live);
    const bot = await testBot(geoip, { database: live, check_interval: "20ms" });
    expect(await bot.handle({ ip: "192.0.2.7" })).toEqual([{ ip: ["192.0.2.7"], ...HELSINKI }]);

    await build(join(dir, "next.mmdb"), "Turku");
    await rename(join(dir, "next.mmdb"), live);
    await vi.waitFor(async () => {
      expect((await bot.handle({ ip: "192.0.2.7" }))[0]?.city).toEqual(["Turku"]);
    }, WAIT);
    expect(bot.counters.get("reloads")).toBe(1);

    await writeFile(live, "truncated download");
    await vi.waitFor(() => expect(bot.warnings).toHaveLength(1), WAIT);
    expect(bot.warnings[0]).toMatch(`cannot open GeoIP database ${live}: not a readable`);
    expect(bot.warnings[0]).toMatch(/still using the previous copy$/);
    expect((await bot.handle({ ip: "192.0.2.7" }))[0]?.city).toEqual(["Turku"]);
    await bot.stop();
    // Two Perl database builds take a few seconds on a busy 2-core machine.
  }, 30_000);
});

describe("geoFacts", () => {
  it("writes coordinates only as a pair, and nothing for no record", () => {
    expect(geoFacts(null).toJSON()).toEqual({});
    expect(geoFacts({ location: { latitude: 1.5 } } as never).toJSON()).toEqual({});
    expect(
      geoFacts({
        location: { latitude: -33.9, longitude: 0 },
        registered_country: { iso_code: "AU" },
      } as never).toJSON(),
    ).toEqual({ latitude: ["-33.9"], longitude: ["0"] });
  });
});
