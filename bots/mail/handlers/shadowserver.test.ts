import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, MailError, type HandlerContext } from "../handler.js";
import { parseMail } from "../parse.js";
import { shadowserverHandler as handler } from "./shadowserver.js";

const DIR = new URL("../fixtures/shadowserver/", import.meta.url);
const ctx: HandlerContext = { limits: DEFAULT_LIMITS };
const raw = (name: string) => readFileSync(new URL(name, DIR));
const load = (name: string) => parseMail(raw(name), name);
const read = async (name: string, c: HandlerContext = ctx) => {
  const mail = await load(name);
  expect(handler.match(mail)).toBeDefined();
  return handler.read(mail, c);
};
const failure = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MailError);
  return (err as MailError).message;
};

type Fields = Record<string, string[]>;
const eventsOf = (r: { events: unknown[] }) => r.events as Fields[];

const SHADOWSERVER = { "report format": ["shadowserver"], feeder: ["shadowserver"] };

describe("shadowserver handler, attachments", () => {
  it("reads a CSV report: one event per row, columns through the mapping", async () => {
    const mail = await load("scan-http.eml");
    expect(handler.match(mail)).toBe(
      "attachment 2026-11-30-scan_http-example-asn.csv: a Shadowserver report file name (report type scan_http)",
    );
    const result = await handler.read(mail, ctx);
    expect(result.problems).toEqual([]);
    expect(result.notes).toEqual([]);
    expect(result.events).toHaveLength(3);
    expect(result.events[0]).toEqual({
      ...SHADOWSERVER,
      "report type": ["scan_http"],
      feed: ["Accessible-HTTP"],
      category: ["info"],
      type: ["open service"],
      service: ["http"],
      "source time": ["2026-11-30 01:12:44Z"],
      severity: ["medium"],
      ip: ["192.0.2.10"],
      protocol: ["tcp"],
      port: ["80"],
      hostname: ["www.example.com"],
      asn: ["64496"],
      cc: ["DE"],
      region: ["BERLIN"],
      city: ["BERLIN"],
      naics: ["517311"],
      "hostname source": ["ptr"],
      sector: ["Communications"],
      http: ["HTTP/1.1"],
      "http code": ["200"],
      "http reason": ["OK"],
      "content type": ["text/html"],
      connection: ["keep-alive"],
      server: ["nginx/1.18.0"],
      "content length": ["612"],
      "http date": ["2026-11-30 01:12:44Z"],
    });
    // Tags split at `;`, naics 0 is no value, IPv6 and host names normalised, quotes undone.
    expect(result.events[1]).toMatchObject({ tag: ["cve-2021-41773", "apache"], asn: ["64497"] });
    expect(result.events[1]).not.toHaveProperty("naics");
    expect(result.events[2]).toMatchObject({
      ip: ["2001:db8::5"],
      hostname: ["host5.example.com"],
      "www authenticate": ['Basic realm="router"'],
    });
  });

  it("reads a zipped CSV (sinkhole events: the infected source is the event's ip)", async () => {
    const result = await read("sinkhole-http-zip.eml");
    expect(result.problems).toEqual([]);
    expect(result.events).toHaveLength(2);
    expect(result.events[0]).toMatchObject({
      "report type": ["event4_sinkhole_http"],
      feed: ["Sinkhole-Events-HTTP IPv4"],
      category: ["malware"],
      type: ["infected host"],
      ip: ["203.0.113.45"],
      port: ["49811"],
      asn: ["64500"],
      cc: ["NL"],
      "malware family": ["andromeda"],
      "dst ip": ["198.51.100.200"],
      "dst port": ["80"],
      "dst asn": ["64511"],
      "http url": ["http://c2.example.test/image.php"],
      "http host": ["c2.example.test"],
      "http agent": ["Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)"],
      service: ["http"],
    });
    expect(result.events[1]).toMatchObject({
      hostname: ["pc46.example.com"],
      "machine name": ["NAS-46"],
    });
  });

  it("puts a blocklisted network in netblock and an address in ip", async () => {
    const events = eventsOf(await read("blocklist.eml"));
    expect(events.map((e) => [e["ip"], e["netblock"], e["reason"]])).toEqual([
      [["192.0.2.66"], undefined, ["spam source"]],
      [undefined, ["198.51.100.0/24"], ["hijacked netblock"]],
    ]);
    expect(events[0]).toMatchObject({ type: ["blocklisted"], source: ["example-drop"] });
  });

  it("builds a compromised website's URL from its host and path columns", async () => {
    const { events } = await read("compromised-website.eml");
    expect(events[0]).toMatchObject({
      category: ["malware"],
      type: ["compromised website"],
      url: ["https://shop.example.com/checkout/index.php"],
      "domain name": ["shop.example.com"],
      service: ["https"],
      description: ["skimmer"],
      "malware family": ["magecart"],
      detail: ["skimmer script in the checkout page"],
      "detected since": ["2026-11-28 00:00:00"],
    });
  });

  it("maps an unknown report type by column names, with a note", async () => {
    const result = await read("unknown-type.eml");
    expect(result.notes).toEqual([
      "2026-11-30-scan_newproto-example-asn.csv: report type scan_newproto is not in the mapping; columns mapped by their names (update the mapping with shadowserver-schema)",
    ]);
    expect(result.events).toHaveLength(1);
    const [event] = result.events;
    expect(event).toMatchObject({
      "report type": ["scan_newproto"],
      ip: ["192.0.2.99"],
      "source time": ["2026-11-30 04:00:00Z"],
      "newproto version": ["2.1"],
      "weird field": ["yes"],
    });
    expect(event).not.toHaveProperty("category");
    expect(event).not.toHaveProperty("feed");
  });

  it("lists a broken row and a bad value with their lines and keeps the rest", async () => {
    const result = await read("bad-rows.eml");
    expect(result.problems).toEqual([
      "2026-11-30-scan_http-example-asn.csv: line 3: 5 fields for 26 columns",
      '2026-11-30-scan_http-example-asn.csv: line 4: column ip: "300.1.2.3": not an IP address',
    ]);
    expect(eventsOf(result).map((e) => e["source time"]?.[0])).toEqual([
      "2026-11-30 01:12:44Z",
      "2026-11-30 02:30:00Z",
      "2026-11-30 05:01:19Z",
    ]);
    expect(result.events[1]).not.toHaveProperty("ip");
  });

  it("refuses a broken zip, naming the attachment", async () => {
    const message = await failure(read("bad-zip.eml"));
    expect(message).toBe(
      "bad-zip.eml, attachment 2026-11-30-scan_http-example-asn.csv.zip: bad zip data in 2026-11-30-scan_http-example-asn.csv: invalid zip data",
    );
  });

  it("stops a zip bomb at the decompressed-size cap", async () => {
    const limits = { ...DEFAULT_LIMITS, decompressedBytes: 1024 * 1024 };
    const message = await failure(read("bad-zip-bomb.eml", { limits }));
    expect(message).toBe(
      "bad-zip-bomb.eml, attachment 2026-11-30-scan_http-example-asn.csv.zip: over the decompressed-size limit of 1048576 bytes (a zip bomb, or a report too large for the limit)",
    );
  });

  it("refuses an attachment over the size cap", async () => {
    const limits = { ...DEFAULT_LIMITS, attachmentBytes: 500 };
    const message = await failure(read("scan-http.eml", { limits }));
    expect(message).toMatch(
      /attachment 2026-11-30-scan_http-example-asn\.csv: \d+ bytes is over the attachment-size limit of 500 bytes$/,
    );
  });

  it("does not take mails of other formats", async () => {
    const arf = await parseMail(
      readFileSync(new URL("../fixtures/arf/abuse-full.eml", import.meta.url)),
      "arf",
    );
    expect(handler.match(arf)).toBeUndefined();
  });
});

/** A scan_http report mail with `rows` generated rows (base64 CSV attachment). */
function bigMail(rows: number): Buffer {
  const header = readFileSync(new URL("scan-http.eml", DIR), "latin1");
  const lines = [
    "timestamp,severity,ip,protocol,port,hostname,tag,asn,geo,region,city,naics,http_code",
  ];
  for (let i = 0; i < rows; i++) {
    const ip = `${[192, 198, 203][i % 3]}.${[0, 51, 0][i % 3]}.${[2, 100, 113][i % 3]}.${i % 250}`;
    lines.push(
      `2026-11-30 00:${String(i % 60).padStart(2, "0")}:00,medium,${ip},tcp,80,,,64496,DE,BERLIN,BERLIN,0,200`,
    );
  }
  const body = Buffer.from(lines.join("\n") + "\n")
    .toString("base64")
    .replace(/.{76}/g, "$&\r\n");
  const head = header.slice(0, header.indexOf("------=_ss_scan-http\r\nContent-Type: text/csv"));
  return Buffer.from(
    head +
      '------=_ss_scan-http\r\nContent-Type: text/csv; name="2026-11-30-scan_http-example-asn.csv"\r\n' +
      "Content-Transfer-Encoding: base64\r\n\r\n" +
      body +
      "\r\n------=_ss_scan-http--\r\n",
  );
}

describe("shadowserver handler, a 10k-row report", () => {
  it("reads every row", async () => {
    const mail = await parseMail(bigMail(10_000), "big.eml");
    const result = await handler.read(mail, ctx);
    expect(result.events).toHaveLength(10_000);
    expect(result.problems).toEqual([]);
    expect(result.notes).toEqual([
      expect.stringMatching(
        /^2026-11-30-scan_http-example-asn\.csv: columns of scan_http missing from the file: /,
      ),
    ]);
    expect(result.events[9_999]).toMatchObject({ ip: ["192.0.2.249"], "http code": ["200"] });
  });

  it("refuses more rows than the row cap", async () => {
    const mail = await parseMail(bigMail(10_000), "big.eml");
    const message = await failure(
      Promise.resolve(handler.read(mail, { limits: { ...DEFAULT_LIMITS, rows: 5_000 } })),
    );
    expect(message).toBe(
      "big.eml, attachment 2026-11-30-scan_http-example-asn.csv: more than 5000 rows (the row limit)",
    );
  });
});
