import { readFileSync } from "node:fs";
import { describe, it, expect } from "vitest";
import { DEFAULT_LIMITS, MailError } from "../handler.js";
import { parseMail } from "../parse.js";
import { crashesOnDamage } from "../test-damage.js";
import { v4Problems } from "./xarf-schema.js";
import { DESCRIPTION_MAX, bounded, xarfHandler } from "./xarf.js";

const DIR = new URL("../fixtures/xarf/", import.meta.url);
const ctx = { limits: DEFAULT_LIMITS };
const load = (name: string) => parseMail(readFileSync(new URL(name, DIR)), name);
const read = async (name: string) => {
  const mail = await load(name);
  expect(xarfHandler.match(mail)).toBeDefined();
  return xarfHandler.read(mail, ctx);
};
const failure = async (name: string) => {
  const err = await Promise.resolve()
    .then(() => read(name))
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MailError);
  return (err as MailError).message;
};

describe("xarf handler, X-ARF 0.2", () => {
  it("reads a login-attack report with its log file as description", async () => {
    const mail = await load("v02-login-attack.eml");
    expect(xarfHandler.match(mail)).toBe("header X-ARF: yes");
    const result = await xarfHandler.read(mail, ctx);
    expect(result.events).toEqual([
      {
        "report format": ["x-arf 0.2"],
        "report type": ["login-attack"],
        category: ["abuse"],
        type: ["login attack"],
        ip: ["192.0.2.33"],
        "report id": ["7c1d4f20-honeypot-0933"],
        feeder: ["reports@honeypot.example.org"],
        service: ["ssh"],
        port: ["22"],
        occurrences: ["1200"],
        "source time": ["2024-12-05 08:30:00Z"],
        description: [
          "2024-12-05T09:10:02+01:00 hp1 sshd[2211]: Invalid user admin from 192.0.2.33 port 50122\n" +
            "2024-12-05T09:10:04+01:00 hp1 sshd[2213]: Invalid user test from 192.0.2.33 port 50130\n" +
            "2024-12-05T09:29:58+01:00 hp1 sshd[3380]: Failed password for root from 192.0.2.33 port 61702 ssh2",
        ],
      },
    ]);
    expect(result.problems).toEqual([]);
  });

  it("reads a base64 report.txt with a URI source and an RFC 5322 date (X-XARF: PLAIN)", async () => {
    const mail = await load("v02-phishing-uri.eml");
    expect(xarfHandler.match(mail)).toBe("header X-XARF: PLAIN");
    expect((await xarfHandler.read(mail, ctx)).events).toEqual([
      {
        "report format": ["x-arf 0.2"],
        "report type": ["phishing"],
        category: ["fraud"],
        type: ["phishing"],
        url: ["http://203.0.113.80/examplebank/login.php"],
        "report id": ["bw-2024-12-06-0042"],
        feeder: ["xarf@brandwatch.example.com"],
        "source time": ["2024-12-06 11:52:10Z"],
      },
    ]);
  });

  it("refuses truncated YAML, naming the line", async () => {
    expect(await failure("bad-v02-truncated.eml")).toBe(
      'bad-v02-truncated.eml, part 2 (report.txt), line 8: not YAML: Missing closing "quote',
    );
  });

  it("refuses a Source that is not an address", async () => {
    expect(await failure("bad-v02-source.eml")).toBe(
      'bad-v02-source.eml, part 2 (report.txt): Source "192.0.2.330" is not an IP address',
    );
  });
});

describe("xarf handler, X-ARF 4", () => {
  it("reads a JSON attachment (base64, CRLF mail) validated by the published schema", async () => {
    expect(readFileSync(new URL("v4-login-attack.eml", DIR), "latin1")).toContain("\r\n");
    const mail = await load("v4-login-attack.eml");
    expect(xarfHandler.match(mail)).toBe("part 2 is an X-ARF JSON report");
    const result = await xarfHandler.read(mail, ctx);
    expect(result.events).toEqual([
      {
        "report format": ["x-arf 4"],
        "report type": ["login_attack"],
        category: ["abuse"],
        type: ["login attack"],
        "report id": ["3f0c9a52-8d2e-4b7a-9c41-6e2f1d7a5b08"],
        ip: ["198.51.100.77"],
        "source time": ["2024-12-05 08:45:12Z"],
        feeder: ["Example Hosting Security"],
        port: ["45621"],
        protocol: ["tcp"],
        service: ["ssh"],
        description: ["412 failed SSH logins in 2 hours"],
        "destination ip": ["203.0.113.22"],
        "destination port": ["22"],
      },
    ]);
    expect(result.notes).toEqual(["1 evidence item(s) not copied into the event"]);
  });

  it("reads X-ARF carried in an ARF mail (Feedback-Type: xarf)", async () => {
    const [event] = (await read("v4-spam-over-arf.eml")).events;
    expect(event).toEqual({
      "report format": ["x-arf 4"],
      "report type": ["spam"],
      category: ["abuse"],
      type: ["spam"],
      "report id": ["5b7e2c1a-0d4f-4e8b-a6c3-91f0b2d4e6a7"],
      ip: ["192.0.2.150"],
      "source time": ["2024-12-07 10:20:03Z"],
      feeder: ["Spam Trap Network"],
      port: ["25"],
      protocol: ["smtp"],
    });
  });

  it("reads a JSON body whose source is a domain, keeping the page's URL", async () => {
    const [event] = (await read("v4-phishing-body.eml")).events;
    expect(event).toMatchObject({
      category: ["fraud"],
      type: ["phishing"],
      "domain name": ["login.example-bank.example.net"],
      url: ["https://login.example-bank.example.net/secure/verify"],
      feeder: ["Example Bank"],
    });
  });

  it("refuses a report that fails the schema, naming each field", async () => {
    expect(await failure("bad-v4-schema.eml")).toBe(
      "bad-v4-schema.eml, part 2 (application/json): X-ARF v4 report: /source_port: must be integer; /protocol: is required",
    );
  });

  it("refuses a type from another category", async () => {
    expect(await failure("bad-v4-category.eml")).toBe(
      'bad-v4-category.eml, part 1 (application/json): X-ARF v4 report: /type: "phishing" is a type of category "content", not "messaging"',
    );
  });

  it("refuses garbage JSON and the legacy Version 3 format with a reason", async () => {
    expect(await failure("bad-v4-garbage.eml")).toMatch(
      /^bad-v4-garbage\.eml, part 2 \(application\/json\): not JSON: /,
    );
    expect(await failure("bad-v3-legacy.eml")).toBe(
      'bad-v3-legacy.eml, part 2 (application/json): X-ARF JSON with Version "3" (the legacy format); only X-ARF 4 (xarf_version 4.x.x) is read',
    );
  });

  it("validates against the shipped schemas: formats included", async () => {
    const attachment = (await load("v4-login-attack.eml")).parsed.attachments[0];
    const report = JSON.parse(attachment?.content.toString("utf8") ?? "") as Record<
      string,
      unknown
    >;
    expect(v4Problems(report)).toEqual([]);
    expect(v4Problems({ ...report, destination_ip: "203.0.113.300", report_id: "42" })).toEqual([
      '/report_id: must match format "uuid"',
      '/destination_ip: must match format "ipv4"',
      '/destination_ip: must match format "ipv6"',
    ]);
    expect(v4Problems("a string")).toEqual(["/: must be object"]);
  });

  it("does not take ordinary mail", async () => {
    const arf = await parseMail(
      readFileSync(new URL("../arf/abuse-full.eml", DIR)),
      "abuse-full.eml",
    );
    expect(xarfHandler.match(arf)).toBeUndefined();
  });
});

describe("bounded", () => {
  it("cuts long text at a line end within the limit", () => {
    const line = "x".repeat(99);
    const { text, cut } = bounded(Array(50).fill(line).join("\r\n"));
    expect(cut).toBe(true);
    expect(text.length).toBeLessThanOrEqual(DESCRIPTION_MAX);
    expect(text.split("\n").every((l) => l === line)).toBe(true);
  });
});

describe("xarf handler on damaged mails", () => {
  it("throws only MailErrors on every fixture cut short or with bytes changed", async () => {
    expect(await crashesOnDamage(xarfHandler, DIR, [0x3a, 0x0a, 0x22, 0x7b])).toEqual([]);
  });
});
