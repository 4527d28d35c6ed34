/**
 * Each preset against a sample in its provider's real format (fixtures/<name>.<ext>), compared
 * with the exact events it must give (fixtures/expected/<name>.json), through the engine's
 * own reader and mapper: comment lines, quoting, empty fields and IPv6 included.
 */
import { readFile } from "node:fs/promises";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import type { EventJson } from "../../../core/index.js";
import { checkAuth, checkFormat, checkMapping } from "../check.js";
import { decompress } from "../decode.js";
import { readRecords } from "../formats/index.js";
import { compileMapping } from "../mapping.js";
import { decodeText } from "../text.js";
import type { FeedSpec } from "../types.js";
import { presets as blocklistDe } from "./blocklist-de.js";
import { preset as bruteforceblocker } from "./bruteforceblocker.js";
import { preset as cinsArmy } from "./cins-army.js";
import { presets as dataplane } from "./dataplane.js";
import { preset as dshieldBlock } from "./dshield-block.js";
import { preset as etCompromised } from "./et-compromised.js";
import { preset as feodoTracker } from "./feodo-tracker.js";
import { preset as microsoftSnds } from "./microsoft-snds.js";
import { preset as openphish } from "./openphish.js";
import { preset as phishtank } from "./phishtank.js";
import { preset as spamhausDropV6 } from "./spamhaus-drop-v6.js";
import { preset as spamhausDrop } from "./spamhaus-drop.js";
import { presets as stopforumspam } from "./stopforumspam.js";
import { presets as threatfox } from "./threatfox.js";
import { preset as torExit } from "./tor-exit.js";
import { preset as urlhaus } from "./urlhaus.js";

const ALL: FeedSpec[] = [
  ...blocklistDe,
  bruteforceblocker,
  cinsArmy,
  ...dataplane,
  dshieldBlock,
  etCompromised,
  feodoTracker,
  microsoftSnds,
  openphish,
  phishtank,
  spamhausDrop,
  spamhausDropV6,
  ...stopforumspam,
  ...threatfox,
  torExit,
  urlhaus,
];

const byName = (name: string): FeedSpec => {
  const spec = ALL.find((s) => s.name === name);
  if (!spec) throw new Error(`no preset ${name}`);
  return spec;
};

const fixture = (file: string) => readFile(new URL(`./fixtures/${file}`, import.meta.url));

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield await Promise.resolve(bytes);
}

/** Run a spec over a body the way a poll does (decompress, decode, read, map). */
async function run(
  spec: FeedSpec,
  body: Uint8Array,
): Promise<{ events: EventJson[]; bad: string[] }> {
  const bad: string[] = [];
  const opts = {
    compression: spec.compression ?? "auto",
    ...(spec.member ? { member: spec.member } : {}),
  };
  const { body: plain } = await decompress(once(body), opts);
  const mapper = compileMapping(spec.map, { feed: spec.name });
  const events: EventJson[] = [];
  const records = readRecords(spec.format, decodeText(plain), (line, msg) =>
    bad.push(`${line}: ${msg}`),
  );
  for await (const batch of records) {
    for (const record of batch) {
      const event = mapper(record);
      if (event) events.push(event.toJSON());
    }
  }
  return { events, bad };
}

async function expected(name: string): Promise<EventJson[]> {
  return JSON.parse((await fixture(`expected/${name}.json`)).toString()) as EventJson[];
}

// Preset name → its sample in the provider's format.
const SAMPLES: [string, string][] = [
  ["spamhaus-drop", "spamhaus-drop.json"],
  ["spamhaus-drop-v6", "spamhaus-drop-v6.json"],
  ["feodo-tracker", "feodo-tracker.csv"],
  ["urlhaus", "urlhaus.csv"],
  ["threatfox-ip-port", "threatfox-ip-port.csv"],
  ["threatfox-domains", "threatfox-domains.csv"],
  ["threatfox-urls", "threatfox-urls.csv"],
  ["blocklist-de-ssh", "blocklist-de-ssh.txt"],
  ["dshield-block", "dshield-block.txt"],
  ["phishtank", "phishtank.csv"],
  ["openphish", "openphish.txt"],
  ["dataplane-sshpwauth", "dataplane-sshpwauth.txt"],
  ["cins-army", "cins-army.txt"],
  ["et-compromised", "et-compromised.txt"],
  ["bruteforceblocker", "bruteforceblocker.txt"],
  ["tor-exit", "tor-exit.txt"],
  ["microsoft-snds", "microsoft-snds.csv"],
];

describe("presets", () => {
  it.each(SAMPLES)("%s gives the expected events from its sample", async (name, file) => {
    const { events, bad } = await run(byName(name), await fixture(file));
    expect(bad).toEqual([]);
    expect(events).toEqual(await expected(name));
  });

  it("stopforumspam reads the address list inside the zip archive", async () => {
    const zip = zipSync({
      "listed_ip_1_ipv46.txt": strToU8((await fixture("stopforumspam-1d.txt")).toString()),
    });
    const { events, bad } = await run(byName("stopforumspam-1d"), zip);
    expect(bad).toEqual([]);
    expect(events).toEqual(await expected("stopforumspam-1d"));
  });

  it("every blocklist.de list reads the same format, tagged with its own service", async () => {
    const body = await fixture("blocklist-de-ssh.txt");
    const seen: Record<string, [string, string | undefined, number]> = {};
    for (const spec of blocklistDe) {
      const { events, bad } = await run(spec, body);
      expect(bad).toEqual([]);
      expect(events.map((e) => e["feed"])).toEqual(Array(4).fill([spec.name]));
      seen[spec.name] = [
        events[0]?.["type"]?.[0] ?? "",
        events[0]?.["protocol"]?.[0],
        events.length,
      ];
    }
    expect(seen).toMatchObject({
      "blocklist-de-all": ["attack", undefined, 4],
      "blocklist-de-ssh": ["brute-force", "ssh", 4],
      "blocklist-de-mail": ["attack", "smtp", 4],
      "blocklist-de-bots": ["spam", undefined, 4],
      "blocklist-de-ircbot": ["botnet drone", "irc", 4],
      "blocklist-de-bruteforcelogin": ["brute-force", "http", 4],
    });
    expect(blocklistDe.map((s) => s.url)).toContain(
      "https://lists.blocklist.de/lists/strongips.txt",
    );
  });

  it("every dataplane report reads the same format, tagged with its own category", async () => {
    const body = (await fixture("dataplane-sshpwauth.txt")).toString();
    for (const spec of dataplane) {
      const report = spec.name.replace("dataplane-", "");
      const { events, bad } = await run(spec, strToU8(body.replaceAll("sshpwauth", report)));
      expect(bad).toEqual([]);
      expect(events.map((e) => e["ip"]?.[0])).toEqual([
        "192.0.2.183",
        "198.51.100.121",
        "203.0.113.4",
        "2001:db8::22",
      ]);
      expect(events[0]?.["feed"]).toEqual([spec.name]);
      expect(spec.url).toBe(`https://dataplane.org/${report}.txt`);
    }
  });

  it("reports a row that breaks the format and goes on with the next", async () => {
    const feodo = `"first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"
"2021-01-17 07:44:46","192.0.2.17","443","online"
"not a time","192.0.2.18","443","online","2024-03-14","Dridex"
"2021-01-17 07:44:46","192.0.2.19","443","online","2024-03-14","Dridex"
`;
    const bad: string[] = [];
    const mapper = compileMapping(feodoTracker.map, { feed: feodoTracker.name });
    const ips: string[] = [];
    for await (const batch of readRecords(
      feodoTracker.format,
      decodeText(once(strToU8(feodo))),
      (l) => bad.push(`line ${l}`),
    )) {
      for (const record of batch) {
        try {
          ips.push(mapper(record)?.value("ip") ?? "");
        } catch {
          bad.push(`line ${record.line}`);
        }
      }
    }
    expect(bad).toEqual(["line 2", "line 3"]);
    expect(ips).toEqual(["192.0.2.19"]);
  });

  it("passes the engine's shape checks, with unique kebab-case names", () => {
    for (const spec of ALL) {
      expect(() => checkFormat(spec.format), spec.name).not.toThrow();
      expect(() => checkMapping(spec.map), spec.name).not.toThrow();
      if (spec.auth) expect(() => checkAuth(spec.auth), spec.name).not.toThrow();
      expect(spec.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(spec.url).toMatch(/^https?:\/\//);
      expect(spec.interval).toMatch(/^\d+[mhd]$/);
    }
    expect(new Set(ALL.map((s) => s.name)).size).toBe(ALL.length);
  });

  it("names itself, its publisher and, except ThreatFox, its type in every event", () => {
    for (const spec of ALL) {
      const c = spec.map.constants ?? {};
      expect([c["feed"], c["feeder"]], spec.name).toEqual([spec.name, spec.provider]);
      if (!spec.name.startsWith("threatfox-")) expect(c["type"], spec.name).toBe(spec.type);
    }
  });

  it("keeps Spamhaus polls at least an hour apart and takes secrets from the environment", () => {
    for (const spec of [spamhausDrop, spamhausDropV6]) expect(spec.interval).toBe("1h");
    expect(phishtank.auth).toEqual({ url: true, env: "PHISHTANK_APP_KEY" });
    expect(phishtank.url).toBe("https://data.phishtank.com/data/{secret}/online-valid.csv");
    expect(microsoftSnds.auth).toEqual({ query: "key", env: "SNDS_KEY" });
  });
});
