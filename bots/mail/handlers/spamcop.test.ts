import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, MailError } from "../handler.js";
import { parseMail } from "../parse.js";
import { spamcopHandler } from "./spamcop.js";

const DIR = new URL("../fixtures/spamcop/", import.meta.url);
const ctx = { limits: DEFAULT_LIMITS };
const load = (name: string, dir = DIR) => parseMail(readFileSync(new URL(name, dir)), name);
const read = async (name: string) => {
  const mail = await load(name);
  expect(spamcopHandler.match(mail)).toBeDefined();
  return spamcopHandler.read(mail, ctx);
};

const BASE = { "report format": ["spamcop"], feeder: ["spamcop"], category: ["abuse"] };
/** The error reading a fixture throws (read() may throw before it returns a promise). */
const errorOf = async (name: string): Promise<unknown> => {
  const mail = await load(name);
  try {
    await spamcopHandler.read(mail, ctx);
  } catch (err) {
    return err;
  }
  return undefined;
};
const SPAM = { ...BASE, "report type": ["spam report"], type: ["spam"] };
const SITE = { ...BASE, "report type": ["spamvertised web site"], type: ["spamvertised"] };
const SUMMARY = { ...BASE, "report type": ["summary report"], type: ["spam"] };
const GUESSED = ["source time: year from the mail date, hour taken as UTC"];

describe("spamcop handler, spam reports", () => {
  it("reads the source address, when the spam came, the id and the tracking link", async () => {
    const mail = await load("spam.eml");
    expect(spamcopHandler.match(mail)).toBe("Subject [SpamCop (...) id:<number>]");
    expect(await spamcopHandler.read(mail, ctx)).toEqual({
      events: [
        {
          ...SPAM,
          ip: ["192.0.2.45"],
          "source time": ["2024-12-09 14:10:02Z"],
          "report id": ["7234567890"],
          "report url": [
            "https://www.spamcop.net/w3m?i=z7234567890z2b7c1e4d9f0a3b5c6d7e8f9a0b1c2d3ez",
          ],
        },
      ],
      problems: [],
      notes: [],
    });
  });

  it("reads the text part of the ARF-wrapped form, IPv6 included", async () => {
    const result = await read("arf-style.eml");
    expect(result.events).toEqual([
      {
        ...SPAM,
        ip: ["2001:db8:feed::9"],
        "source time": ["2024-12-10 07:58:12Z"],
        "report id": ["7234567893"],
        "report url": [
          "https://www.spamcop.net/sc?id=z7234567893z5f4e3d2c1b0a99887766554433221100z",
        ],
      },
    ]);
  });

  it("does not read addresses out of the offending message", async () => {
    const result = await read("spam.eml");
    expect(JSON.stringify(result.events)).not.toContain("shop.example.com");
  });
});

describe("spamcop handler, spamvertised sites", () => {
  it("gives one event per site with its host, address and report id", async () => {
    const result = await read("spamvertised.eml");
    expect(result.events).toEqual([
      {
        ...SITE,
        url: ["http://shop.example.com/watches"],
        "domain name": ["shop.example.com"],
        ip: ["203.0.113.80"],
        "source time": ["2024-12-09 14:12:40Z"],
        "report id": ["7234567891"],
        "report url": [
          "https://www.spamcop.net/w3m?i=z7234567891z9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4bz",
        ],
      },
      {
        ...SITE,
        url: ["http://203.0.113.81/track?id=5"],
        ip: ["203.0.113.81"],
        "source time": ["2024-12-09 14:12:41Z"],
        "report id": ["7234567892"],
        "report url": [
          "https://www.spamcop.net/w3m?i=z7234567892z0a1b2c3d4e5f60718293a4b5c6d7e8f9z",
        ],
      },
    ]);
    expect(result.problems).toEqual([]);
  });
});

describe("spamcop handler, summary reports", () => {
  it("gives one event per row, the year across New Year from the mail's date", async () => {
    const mail = await load("summary.eml");
    expect(spamcopHandler.match(mail)).toBe(
      "Subject [SpamCop] summary report, or its table from spamcop.net",
    );
    const result = await spamcopHandler.read(mail, ctx);
    const counts = (trap: string, user: string, mole: string, simple: string) => ({
      "trap reports": [trap],
      "user reports": [user],
      "mole reports": [mole],
      "simple reports": [simple],
    });
    expect(result.events).toEqual([
      {
        ...SUMMARY,
        ip: ["192.0.2.44"],
        "source time": ["2024-12-30 18:00:00Z"],
        derived: GUESSED,
        "duration days": ["2"],
        ...counts("51", "0", "0", "0"),
        description: ["blocklisted"],
        "reverse dns": ["host44.example.net"],
      },
      {
        ...SUMMARY,
        ip: ["198.51.100.9"],
        "source time": ["2024-12-31 03:00:00Z"],
        derived: GUESSED,
        "duration days": ["1"],
        ...counts("3", "2", "1", "0"),
      },
      {
        ...SUMMARY,
        ip: ["2001:db8::25"],
        "source time": ["2025-01-01 11:00:00Z"],
        derived: GUESSED,
        "duration days": ["0"],
        ...counts("1", "0", "0", "0"),
      },
    ]);
    expect(result.problems).toEqual([]);
  });

  it("skips a bad row and keeps a row with a bad start, each listed with its line", async () => {
    const result = await read("bad-summary-rows.eml");
    expect(result.events.map((e) => (e as Record<string, string[]>)["ip"]?.[0])).toEqual([
      "192.0.2.44",
      "192.0.2.45",
      "192.0.2.46",
    ]);
    expect(result.problems).toEqual([
      'bad-summary-rows.eml, body line 5: "192.0.2.300" is not an IP address; row skipped',
      'bad-summary-rows.eml, body line 6: start "Dex 8 18h" has no month name; row kept without a source time',
      'bad-summary-rows.eml, body line 7: start "Dec 9 25h" has an hour past 23; row kept without a source time',
    ]);
    expect(result.events[2]).toMatchObject({ "reverse dns": ["host46.example.net"] });
  });
});

describe("spamcop handler, malformed reports", () => {
  it("refuses a source that is not an address, saying where", async () => {
    const error = await errorOf("bad-source-ip.eml");
    expect(error).toBeInstanceOf(MailError);
    expect(error).toMatchObject({
      where: "bad-source-ip.eml, body line 4",
      what: '"Email from" names "300.1.2.3", which is not an IP address',
    });
  });

  it("refuses a report with neither kind of report line", async () => {
    const error = await errorOf("bad-no-lines.eml");
    expect(error).toBeInstanceOf(MailError);
    expect(String(error)).toBe(
      'MailError: bad-no-lines.eml: SpamCop report without a usable report line: no "Email from <ip> / <date>" or "Spamvertised web site: <url>" line',
    );
  });

  it("keeps what it can read and lists the rest", async () => {
    const result = await read("bad-fields.eml");
    expect(result.events).toEqual([
      {
        ...SPAM,
        ip: ["192.0.2.47"],
        "source time": ["2024-12-09 16:00:00Z"],
        derived: ["source time: mail date"],
        "report id": ["7234567896"],
        "report url": ["https://www.spamcop.net/w3m?i=z7234567896zaaz"],
      },
    ]);
    expect(result.problems).toEqual([
      `bad-fields.eml, body line 4: "sometime yesterday" is not a date; the mail's Date is used`,
      "bad-fields.eml, Subject: names 192.0.2.46, the report 192.0.2.47; the report's is kept",
      'bad-fields.eml, body line 7: "Spamvertised web site: not a url" names no URL; skipped',
    ]);
  });

  it("does not take other reports", async () => {
    const others = new URL("../fixtures/", import.meta.url);
    for (const name of ["arf/abuse-full.eml", "fail2ban/complain-sshd.eml"]) {
      expect(spamcopHandler.match(await load(name, others))).toBeUndefined();
    }
  });
});
