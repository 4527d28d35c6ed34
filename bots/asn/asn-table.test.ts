// The asn bot's offline source: routing table files in both formats, reloads.
import { mkdtemp, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testBot, type BotUnderTest } from "../../core/testing.js";
import { asn, asnBot, type AsnSource } from "./asn.js";

const PFX2AS = [
  "192.0.2.0\t24\t64496",
  "192.0.2.128\t25\t64497_64498", // multi-origin
  "198.51.100.0\t24\t64499,64500", // AS set
  "2001:db8::\t32\t64501",
  "2001:db8:1::\t48\t64502",
  "203.0.113.0\t33\t64503", // bad length
  "",
].join("\n");

const NAMES = "64496 EXAMPLE-AS Example Org, FI\nAS64501 V6-AS Six Org, NL\n\n";

const IP2ASN = [
  "192.0.2.0\t192.0.2.255\t64496\tFI\tEXAMPLE-AS Example Org",
  "192.0.2.10\t192.0.2.20\t64497\tSE\tOTHER-AS Other Org", // not CIDR-aligned
  "198.51.100.0\t198.51.100.255\t0\tNone\tNot routed",
  "2001:db8::\t2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\t64501\tNL\tV6-AS Six Org",
  "",
].join("\n");

describe("asn bot, source table", () => {
  let dir: string;
  let bot: BotUnderTest<typeof asn.params> | undefined;
  let opened: AsnSource | undefined;
  const def = asnBot((source) => (opened = source));
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "asn-table-"));
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
  });

  const file = async (name: string, body: string | Buffer) => {
    const path = join(dir, name);
    // Written beside and renamed over, as tools replace such files.
    await writeFile(`${path}.tmp`, body);
    await rename(`${path}.tmp`, path);
    return path;
  };
  const start = async (params: Record<string, unknown>) => {
    bot = await testBot(def, { source: "table", reload_check: 0, ...params });
    return bot;
  };

  it("reads pfx2as: longest prefix, multi-origin and AS sets, IPv6, names", async () => {
    const b = await start({
      table: await file("pfx2as.txt", PFX2AS),
      names: await file("asn.txt", NAMES),
    });
    expect(await b.handle({ ip: "192.0.2.1" })).toEqual([
      {
        asn: ["64496"],
        "as name": ["EXAMPLE-AS Example Org, FI"],
        "bgp prefix": ["192.0.2.0/24"],
        ip: ["192.0.2.1"],
      },
    ]);
    expect(await b.handle({ ip: "192.0.2.200" })).toEqual([
      { asn: ["64497", "64498"], "bgp prefix": ["192.0.2.128/25"], ip: ["192.0.2.200"] },
    ]);
    expect(await b.handle({ ip: "198.51.100.9" })).toEqual([
      { asn: ["64499", "64500"], "bgp prefix": ["198.51.100.0/24"], ip: ["198.51.100.9"] },
    ]);
    expect(await b.handle({ ip: "2001:db8:1:2::3" })).toEqual([
      { asn: ["64502"], "bgp prefix": ["2001:db8:1::/48"], ip: ["2001:db8:1:2::3"] },
    ]);
    expect(await b.handle({ ip: "2001:db8:2::3" })).toEqual([
      {
        asn: ["64501"],
        "as name": ["V6-AS Six Org, NL"],
        "bgp prefix": ["2001:db8::/32"],
        ip: ["2001:db8:2::3"],
      },
    ]);
    expect(await b.handle({ ip: "203.0.113.1" })).toEqual([{ ip: ["203.0.113.1"] }]);
  });

  it("reports a bad line with its file and line number, and uses the rest", async () => {
    const table = await file("pfx2as.txt", PFX2AS);
    const b = await start({ table });
    expect(b.warnings).toEqual([
      `routing table: 1 bad line(s) skipped; first: ${table}:6: "203.0.113.0/33": prefix length 33 is out of range 0-32 for IPv4`,
    ]);
    expect(b.counters.get("bad lines")).toBe(1);
  });

  it("reads gzipped ip2asn: narrowest range, no prefix for a non-CIDR range, not-routed skipped", async () => {
    const b = await start({ table: await file("ip2asn.tsv.gz", gzipSync(IP2ASN)) });
    expect(await b.handle({ ip: "192.0.2.15" })).toEqual([
      { asn: ["64497"], "as name": ["OTHER-AS Other Org"], cc: ["SE"], ip: ["192.0.2.15"] },
    ]);
    expect(await b.handle({ ip: "192.0.2.21" })).toEqual([
      {
        asn: ["64496"],
        "as name": ["EXAMPLE-AS Example Org"],
        "bgp prefix": ["192.0.2.0/24"],
        cc: ["FI"],
        ip: ["192.0.2.21"],
      },
    ]);
    expect(await b.handle({ ip: "198.51.100.1" })).toEqual([{ ip: ["198.51.100.1"] }]);
    expect(await b.handle({ ip: "2001:db8::1" })).toEqual([
      {
        asn: ["64501"],
        "as name": ["V6-AS Six Org"],
        "bgp prefix": ["2001:db8::/32"],
        cc: ["NL"],
        ip: ["2001:db8::1"],
      },
    ]);
  });

  it("reloads a changed file once it is stable; a broken one keeps the table in use", async () => {
    const table = await file("pfx2as.txt", "192.0.2.0\t24\t64496\n");
    const b = await start({ table });
    const source = opened?.table;
    const asnOf = async () => (await b.handle({ ip: "192.0.2.1" }))[0]?.asn;
    expect(await asnOf()).toEqual(["64496"]);

    await file("pfx2as.txt", "192.0.2.0\t24\t64510\n192.0.2.0\t25\t64511\n");
    await source?.check(); // changed since last time: wait for it to settle
    expect(await asnOf()).toEqual(["64496"]);
    await source?.check();
    expect(await asnOf()).toEqual(["64511"]);

    await file("pfx2as.txt", "<html>502 Bad Gateway</html>\n");
    await source?.check();
    await source?.check();
    expect(await asnOf()).toEqual(["64511"]);
    expect(b.counters.get("failed reloads")).toBe(1);
    expect(b.warnings.at(-1)).toMatch(/reload failed, the table in use stays: .*no usable route/);
  });

  it("fails at start without a usable table", async () => {
    await expect(testBot(asn, { source: "table" })).rejects.toThrow(/table: required/);
    await expect(testBot(asn, { source: "table", table: join(dir, "none") })).rejects.toThrow(
      `table: no such file: ${join(dir, "none")}`,
    );
  });

  it("ignores values that are not IP addresses", async () => {
    const b = await start({ table: await file("pfx2as.txt", PFX2AS) });
    expect(await b.handle({ ip: ["example.com", "192.0.2.0/24"] })).toEqual([
      { ip: ["192.0.2.0/24", "example.com"] },
    ]);
  });
});
