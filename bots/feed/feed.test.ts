import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventJson } from "../../core/index.js";
import { testBot } from "../../core/testing.js";
import { feed } from "./feed.js";
import { startTestServer, withEtag, type TestServer } from "./test-server.js";

let server: TestServer;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

const CSV = {
  format: { type: "csv", columns: "header", comment: "#" },
  map: {
    fields: {
      ip: "ip",
      seen: { key: "source time", time: "iso" },
      kind: { key: "type", lower: true },
    },
    constants: { feeder: "example" },
  },
};

const rows = (...lines: string[]) => ["# example feed", "ip,seen,kind", ...lines, ""].join("\n");
const ips = (events: EventJson[]) => events.map((e) => e["ip"]?.[0]).sort();

function csvFeed(path: string, body: () => string, extra: Record<string, unknown> = {}) {
  server.route(path, withEtag(body));
  return { url: server.url(path), interval: "1h", ...CSV, ...extra };
}

describe("feed bot", () => {
  it("emits each row once, with feed, feed url and times; an unchanged feed gives a 304 and nothing", async () => {
    let body = rows(
      "192.0.2.1,2024-03-14T10:09:07Z,Scanner",
      "192.0.2.2,2024-03-14T10:09:08Z,scanner",
    );
    const params = csvFeed("/a.csv", () => body, { name: "example-a" });
    const bot = await testBot(feed, params);
    const first = await bot.poll();
    expect(first).toHaveLength(2);
    expect(first[0]).toMatchObject({
      ip: ["192.0.2.1"],
      type: ["scanner"],
      "source time": ["2024-03-14 10:09:07Z"],
      feed: ["example-a"],
      feeder: ["example"],
      "feed url": [server.url("/a.csv")],
      "observation time": [expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/)],
    });
    expect(await bot.poll()).toEqual([]);
    expect(server.requests.at(-1)?.headers["if-none-match"]).toBeDefined();
    expect(bot.counters.get("not modified")).toBe(1);

    body = rows("192.0.2.2,2024-03-14T10:09:08Z,scanner", "192.0.2.3,2024-03-14T10:09:09Z,scanner");
    expect(ips(await bot.poll())).toEqual(["192.0.2.3"]);

    // A new bot process on the same state dir re-sends nothing, even without a 304.
    body = body + "192.0.2.4,2024-03-14T10:09:10Z,scanner\n";
    const again = await testBot(feed, params, { stateDir: bot.ctx.stateDir });
    expect(ips(await again.poll())).toEqual(["192.0.2.4"]);
  });

  it("dedups by content without validators, and a row seen twice in one poll is one event", async () => {
    let body = rows(
      "192.0.2.1,2024-03-14T10:09:07Z,scanner",
      "192.0.2.1,2024-03-14T10:09:07Z,scanner",
    );
    server.route("/plain.csv", (_q, res) => res.writeHead(200).end(body));
    const bot = await testBot(feed, { url: server.url("/plain.csv"), ...CSV });
    expect(await bot.poll()).toHaveLength(1);
    expect(await bot.poll()).toEqual([]);
    body = rows("192.0.2.1,2024-03-14T10:09:07Z,scanner", "192.0.2.9,2024-03-14T10:09:07Z,scanner");
    expect(ips(await bot.poll())).toEqual(["192.0.2.9"]);
  });

  it("fails a cut-off poll without replacing the state", async () => {
    let cut = false;
    const good = rows(
      "192.0.2.1,2024-03-14T10:09:07Z,scanner",
      "192.0.2.2,2024-03-14T10:09:07Z,scanner",
    );
    server.route("/cut.csv", (_q, res) => {
      if (!cut) return void res.writeHead(200).end(good);
      const big = rows(
        ...Array.from(
          { length: 2000 },
          (_, i) => `198.51.100.${i % 250},2024-03-14T10:09:07Z,spam`,
        ),
      );
      res.writeHead(200, { "content-length": String(big.length) });
      res.write(big.slice(0, 30_000));
      setTimeout(() => res.destroy(), 20);
    });
    const bot = await testBot(feed, { url: server.url("/cut.csv"), name: "cutter", ...CSV });
    expect(await bot.poll()).toHaveLength(2);
    const before = await readFile(`${bot.ctx.stateDir}/seen-ids.bin`);
    cut = true;
    await expect(bot.poll()).rejects.toThrow(
      /^feed cutter: GET http:.*\/cut.csv: the body broke off after \d+ bytes: /,
    );
    expect(await readFile(`${bot.ctx.stateDir}/seen-ids.bin`)).toEqual(before);
    // The rows of the cut poll are tried again: they are still new against the old state.
    cut = false;
    expect(await bot.poll()).toEqual([]);
  });

  it("fails a 404 at once, naming feed, URL and status", async () => {
    const bot = await testBot(feed, {
      url: server.url("/nothing-here"),
      name: "gone",
      ...CSV,
      max_retries: 3,
    });
    await expect(bot.poll()).rejects.toThrow(
      /^feed gone: GET http:\/\/127\.0\.0\.1:\d+\/nothing-here: HTTP 404 Not Found$/,
    );
  });

  it("skips and counts a bad line or value, naming the feed and line, and keeps the rest", async () => {
    const body = rows(
      "192.0.2.1,2024-03-14T10:09:07Z,scanner",
      "192.0.2.2,yesterday,scanner",
      "192.0.2.3,x,y,z",
      "192.0.2.4,2024-03-14T10:09:07Z,scanner",
    );
    const bot = await testBot(
      feed,
      csvFeed("/bad.csv", () => body, { name: "bad" }),
    );
    expect(ips(await bot.poll())).toEqual(["192.0.2.1", "192.0.2.4"]);
    expect(bot.counters.get("skipped lines")).toBe(2);
    expect(bot.warnings).toEqual([
      'feed bad: 2 bad lines skipped (first: feed bad: line 4: field "seen": "yesterday" is not a time (iso))',
    ]);
    // Each one is in the dead letters as read (a line, or the fields of a record), with where
    // it was and why.
    expect(bot.deadLetters()).toMatchObject([
      {
        stage: "record",
        where: "feed bad: line 5",
        reason: "4 fields for 3 columns",
        text: "192.0.2.3,x,y,z",
      },
      {
        stage: "record",
        where: "feed bad: line 4",
        reason: 'field "seen": "yesterday" is not a time (iso)',
        text: '{"ip":"192.0.2.2","seen":"yesterday","kind":"scanner"}',
      },
    ]);
  });

  it("fails a poll where no line is usable (a changed format) and keeps the state", async () => {
    let body = rows("192.0.2.1,2024-03-14T10:09:07Z,scanner");
    const bot = await testBot(
      feed,
      csvFeed("/changed.csv", () => body, { name: "changed" }),
    );
    expect(await bot.poll()).toHaveLength(1);
    body = "address;when\n192.0.2.1;now\n192.0.2.2;now\n";
    await expect(bot.poll()).rejects.toThrow(
      /feed changed: none of the mapped fields has a value .*have the columns changed/,
    );
    body = rows("192.0.2.1,2024-03-14T10:09:07Z,scanner", "192.0.2.5,2024-03-14T10:09:07Z,scanner");
    expect(ips(await bot.poll())).toEqual(["192.0.2.5"]);
  });

  it("drops events whose source time is older than drop_older_than", async () => {
    const now = new Date().toISOString();
    const body = rows(`192.0.2.1,${now},scanner`, "192.0.2.2,2001-01-01T00:00:00Z,scanner");
    const bot = await testBot(
      feed,
      csvFeed("/old.csv", () => body, { drop_older_than: "1d" }),
    );
    expect(ips(await bot.poll())).toEqual(["192.0.2.1"]);
    expect(bot.counters.get("dropped old")).toBe(1);
  });

  it("sends the auth header from the secret, never the value in errors", async () => {
    server.route("/private.csv", (q, res) =>
      q.headers.authorization === "Bearer k3y"
        ? res.writeHead(200).end(rows("192.0.2.1,2024-03-14T10:09:07Z,scanner"))
        : res.writeHead(401).end(),
    );
    const params = {
      url: server.url("/private.csv"),
      ...CSV,
      auth: { header: "Authorization", scheme: "Bearer", env: "PRIVATE_KEY" },
    };
    const ok = await testBot(feed, params, { secrets: { PRIVATE_KEY: "k3y" } });
    expect(await ok.poll()).toHaveLength(1);
    const wrong = await testBot(feed, params, { secrets: { PRIVATE_KEY: "nope" } });
    const err = await wrong.poll().catch((e: Error) => e.message);
    expect(err).toMatch(/HTTP 401 Unauthorized$/);
    expect(err).not.toContain("nope");
    const none = await testBot(feed, params);
    await expect(none.poll()).rejects.toThrow(
      /the secret PRIVATE_KEY \(for the Authorization header\) is not set/,
    );
  });

  it("uses a preset with its url overridden, and its interval", async () => {
    const body = await readFile(new URL("./presets/fixtures/spamhaus-drop.json", import.meta.url));
    server.route("/drop.json", (_q, res) => res.writeHead(200).end(body));
    const bot = await testBot(feed, { preset: "spamhaus-drop", url: server.url("/drop.json") });
    const events = await bot.poll();
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({
      feed: ["spamhaus-drop"],
      netblock: [expect.stringContaining("/")],
    });
    expect(feed.interval?.(bot.ctx.params)).toBe(3_600_000);
  });

  it("sends a preset's secret only to the preset's own origin", async () => {
    const body = await readFile(new URL("./presets/fixtures/microsoft-snds.csv", import.meta.url));
    server.route("/snds.csv", (_q, res) => res.writeHead(200).end(body));
    const secrets = { secrets: { SNDS_KEY: "k3y" } };
    const mirror = await testBot(
      feed,
      { preset: "microsoft-snds", url: server.url("/snds.csv") },
      secrets,
    );
    expect(mirror.warnings).toEqual([
      expect.stringMatching(
        /^feed microsoft-snds: url points at http:\/\/127\.0\.0\.1:\d+, not the preset's https:\/\/sendersupport\.olc\.protection\.outlook\.com: the preset's secret SNDS_KEY is not sent there/,
      ),
    ]);
    expect(await mirror.poll()).toHaveLength(3);
    expect(server.requests.at(-1)?.url).toBe("/snds.csv");
    // An auth param is the user's word that this host gets the key.
    const own = {
      preset: "microsoft-snds",
      url: server.url("/snds.csv"),
      auth: { query: "key", env: "SNDS_KEY" },
    };
    const given = await testBot(feed, own, secrets);
    expect(given.warnings).toEqual([]);
    await given.poll();
    expect(server.requests.at(-1)?.url).toBe("/snds.csv?key=k3y");
  });

  it("fills the {secret} of a url (PhishTank's key is a path segment), never showing it", async () => {
    const body = await readFile(new URL("./presets/fixtures/phishtank.csv", import.meta.url));
    server.route("/data/k3y/online-valid.csv", (_q, res) => res.writeHead(200).end(body));
    const params = {
      preset: "phishtank",
      url: server.url("/data/{secret}/online-valid.csv"),
      auth: { url: true, env: "PHISHTANK_APP_KEY" },
    };
    const bot = await testBot(feed, params, { secrets: { PHISHTANK_APP_KEY: "k3y" } });
    const events = await bot.poll();
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]?.["feed url"]).toEqual([server.url("/data/{secret}/online-valid.csv")]);
    await expect(
      testBot(feed, { ...params, url: server.url("/data/online-valid.csv") }),
    ).rejects.toThrow(
      "auth.url: the url needs a {secret} placeholder for the secret PHISHTANK_APP_KEY",
    );
  });

  it("without a preset, needs url, format and map, and says which are missing", async () => {
    await expect(testBot(feed, { format: CSV.format })).rejects.toThrow(
      "feed: without a preset, url, format and map are needed (missing: url, map)",
    );
  });

  it("checks format and map params at config time, naming the bad key", async () => {
    await expect(
      testBot(feed, {
        url: "http://x.example/",
        format: { type: "csv", columns: "header", relax_quotes: true },
        map: CSV.map,
      }),
    ).rejects.toThrow(
      "format: bad format: format.relax_quotes: unknown key (did you mean relaxQuotes?)",
    );
    await expect(
      testBot(feed, {
        url: "http://x.example/",
        format: CSV.format,
        map: { fields: { t: { key: "source time", time: "HH:mm" } } },
      }),
    ).rejects.toThrow(/map.fields.t.time: time pattern "HH:mm" needs at least YYYY and MM/);
    await expect(testBot(feed, { preset: "spamhaus-dorp" })).rejects.toThrow(
      /unknown preset "spamhaus-dorp" \(did you mean spamhaus-drop/,
    );
  });
});
