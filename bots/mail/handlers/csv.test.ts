import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, MailError, type MailHandler, type MailLimits } from "../handler.js";
import { parseMail } from "../parse.js";
import { csvHandler, type CsvConfig } from "./csv.js";

const DIR = new URL("../fixtures/csv/", import.meta.url);
const load = (name: string) => parseMail(readFileSync(new URL(name, DIR)), name);
const ctx = (limits: Partial<MailLimits> = {}) => ({ limits: { ...DEFAULT_LIMITS, ...limits } });

const CERT: CsvConfig = {
  name: "example-cert",
  match: { from: ["cert.example.net"], subject: "Daily compromised hosts" },
  format: { type: "csv", columns: "header", comment: "#" },
  map: {
    fields: {
      ip: "ip",
      timestamp: { key: "source time", time: "YYYY-MM-DD HH:mm:ss" },
      malware: { key: "malware family", lower: true },
      port: "port",
    },
    constants: { type: "botnet drone", category: "malware", feeder: "Example CERT" },
  },
};
const cert = csvHandler(CERT);
const KEYS = {
  "report format": ["csv"],
  feed: ["example-cert"],
  feeder: ["Example CERT"],
  type: ["botnet drone"],
  category: ["malware"],
};
const EVENTS = [
  {
    ...KEYS,
    ip: ["192.0.2.10"],
    "source time": ["2024-12-10 06:46:48Z"],
    "malware family": ["mirai"],
    port: ["23"],
  },
  {
    ...KEYS,
    ip: ["198.51.100.11"],
    "source time": ["2024-12-10 07:01:42Z"],
    "malware family": ["qakbot"],
    port: ["443"],
  },
  {
    ...KEYS,
    ip: ["2001:db8:13::1"],
    "source time": ["2024-12-10 09:30:00Z"],
    "malware family": ["gafgyt"],
    port: ["8080"],
  },
];
const badRows = (file: string, where: string) => [
  `${file}, ${where} line 5: 2 fields for 4 columns; skipped`,
  `${file}, ${where} line 6: field "timestamp": "yesterday" is not a time like "YYYY-MM-DD HH:mm:ss"; skipped`,
];

async function errorOf(h: MailHandler, file: string, limits: Partial<MailLimits> = {}) {
  try {
    await h.read(await load(file), ctx(limits));
  } catch (err) {
    return err;
  }
  return undefined;
}

describe("csv handler", () => {
  it.each([
    ["report.eml", "compromised-2024-12-11.csv"],
    ["report-gz.eml", "compromised-2024-12-11.csv.gz"],
    ["report-zip.eml", "compromised-2024-12-11.zip"],
  ])(
    "reads %s with the feed's format and mapping, bad rows listed by line",
    async (file, attachment) => {
      const mail = await load(file);
      expect(cert.match(mail)).toBe(
        `From reports@cert.example.net matches cert.example.net, Subject matches /Daily compromised hosts/, attachment ${attachment}`,
      );
      const result = await cert.read(mail, ctx());
      expect(result.events).toEqual(EVENTS);
      expect(result.problems).toEqual(badRows(file, attachment));
    },
  );

  it("reuses a feed preset's format and mapping", async () => {
    const h = csvHandler({
      name: "partner",
      match: { from: ["exports@partner.example.com"] },
      preset: "urlhaus",
    });
    const result = await h.read(await load("urlhaus-export.eml"), ctx());
    expect(result.events.map((e) => (e as Record<string, string[]>)["url"])).toEqual([
      ["http://203.0.113.220/bins/arm7"],
      ["http://files.example.net/update.exe"],
    ]);
    expect(result.events[0]).toMatchObject({
      "source time": ["2024-12-11 05:10:02Z"],
      tags: ["elf", "mirai"],
    });
  });

  it("takes only the mails and attachments of its config", async () => {
    const other = csvHandler({
      ...CERT,
      match: { from: ["cert.example.net"], filename: "\\.xlsx$" },
    });
    expect(other.match(await load("report.eml"))).toBeUndefined();
    expect(cert.match(await load("urlhaus-export.eml"))).toBeUndefined();
  });
});

describe("csv handler, caps", () => {
  it("stops at the row cap", async () => {
    const result = await cert.read(await load("report.eml"), ctx({ rows: 2 }));
    expect(result.events).toEqual(EVENTS.slice(0, 2));
    expect(result.problems).toEqual([
      "report.eml, compromised-2024-12-11.csv line 5: 2 fields for 4 columns; skipped",
      "report.eml, compromised-2024-12-11.csv: cut at the row cap (2)",
    ]);
  });

  it("inflates no more than the decompressed cap", async () => {
    const result = await cert.read(await load("report-gz.eml"), ctx({ decompressedBytes: 180 }));
    expect(result.events).toEqual(EVENTS.slice(0, 2));
    expect(result.problems).toContain(
      "report-gz.eml, compromised-2024-12-11.csv.gz: cut at 180 bytes decompressed (the cap)",
    );
  });

  it("does not read an attachment over the size cap", async () => {
    const error = await errorOf(cert, "report.eml", { attachmentBytes: 100 });
    expect(error).toBeInstanceOf(MailError);
    expect(String(error)).toMatch(
      /compromised-2024-12-11\.csv: \d+ bytes, over the cap of 100; not read\)$/,
    );
  });
});

describe("csv handler, malformed", () => {
  it("refuses an attachment with no row", async () => {
    expect(String(await errorOf(cert, "bad-header-only.eml"))).toBe(
      "MailError: bad-header-only.eml: csv example-cert: no usable row",
    );
  });

  it("says where an archive breaks", async () => {
    expect(String(await errorOf(cert, "bad-broken-gzip.eml"))).toBe(
      "MailError: bad-broken-gzip.eml: csv example-cert: no usable row (bad-broken-gzip.eml, compromised-2024-12-13.csv.gz: unexpected end of file)",
    );
  });

  it("names every problem of a config at once", () => {
    expect(() =>
      csvHandler({
        name: "x",
        match: {},
        preset: "nope",
        format: { type: "csv" } as never,
        map: { fields: { a: { key: "ip", time: "QQ" } } },
      }),
    ).toThrow(
      /^csv x: preset: unknown preset "nope"; known: .*\ncsv x: format: bad format: format\.columns: expected "header" or a list of column names\ncsv x: map: bad map: map\.fields\.a\.time: time pattern "QQ" needs at least YYYY and MM \(or MMM\)[^\n]*\ncsv x: match: needs from or subject/,
    );
  });
});
