import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { MailHandler } from "./handler.js";
import { arfHandler } from "./handlers/arf.js";
import { intake, type IntakeOptions, type IntakeResult } from "./intake.js";
import { composeMail, ipLinesHandler } from "./test-mails.js";

const OBSERVED = "2024-05-14 10:10:00Z";
const trusted = { trusted: true, reason: "dkim=pass header.d=example.com" };

function options(over: Partial<IntakeOptions> = {}): IntakeOptions {
  return {
    handlers: [ipLinesHandler],
    maxBytes: 1024 * 1024,
    trust: () => Promise.resolve(trusted),
    ...over,
  };
}

const run = (raw: Buffer, over: Partial<IntakeOptions> = {}) =>
  intake(raw, "INBOX uid 7", OBSERVED, options(over));

function read(r: IntakeResult) {
  if (r.kind !== "read") throw new Error(`expected a read mail, got ${JSON.stringify(r)}`);
  return r;
}

describe("intake", () => {
  it("gives the handler's events with the mail's envelope keys on each", async () => {
    const body = "IP: 192.0.2.1\nIP: 198.51.100.7\n";
    const r = read(await run(composeMail({ body, subject: "Abuse report  for\n you" })));
    expect(r.handler).toBe("ip-lines");
    expect(r.reason).toBe('Subject "Abuse report"');
    expect(r.events.map((e) => e.toJSON())).toEqual(
      ["192.0.2.1", "198.51.100.7"].map((ip) => ({
        ip: [ip],
        type: ["scanner"],
        "mail subject": ["Abuse report for you"],
        "mail from": ["abuse@reports.example.com"],
        "mail message id": ["report-1@reports.example.com"],
        "mail date": ["2024-05-14 10:09:07Z"],
        "observation time": [OBSERVED],
        "report format": ["ip-lines"],
        trusted: ["yes"],
        "trust reason": ["dkim=pass header.d=example.com"],
      })),
    );
  });

  it("takes the first handler that matches, in the order given", async () => {
    const first: MailHandler = {
      name: "first",
      match: () => "always",
      read: () => ({ events: [{ ip: "203.0.113.9", "report format": "template first" }] }),
    };
    const r = read(await run(composeMail(), { handlers: [first, ipLinesHandler] }));
    expect(r.handler).toBe("first");
    // A handler's own report format is kept.
    expect(r.events[0]?.values("report format")).toEqual(["template first"]);
  });

  it("says an untrusted mail is untrusted, and why, on every event", async () => {
    const trust = () => Promise.resolve({ trusted: false, reason: "no signature" });
    const r = read(await run(composeMail({ body: "IP: 192.0.2.1\nIP: 192.0.2.2" }), { trust }));
    expect(r.events.map((e) => [e.value("trusted"), e.value("trust reason")])).toEqual([
      ["no", "no signature"],
      ["no", "no signature"],
    ]);
  });

  it("fails a mail no handler reads, naming the handlers tried", async () => {
    const r = await run(composeMail({ subject: "Hello" }));
    expect(r).toEqual({
      kind: "failed",
      reason: "INBOX uid 7: no handler reads this mail (tried ip-lines)",
      messageId: "report-1@reports.example.com",
    });
  });

  it("fails a mail its handler finds broken, with the handler's words", async () => {
    const r = await run(composeMail({ body: "IP: broken\n" }));
    expect(r).toMatchObject({
      kind: "failed",
      handler: "ip-lines",
      reason: 'INBOX uid 7: line "IP: broken" has no address',
    });
    expect(r).not.toHaveProperty("bug");
  });

  it("fails (as a bug) a mail whose handler throws something else", async () => {
    const buggy: MailHandler = {
      name: "buggy",
      match: () => "always",
      read: () => {
        throw new TypeError("x is undefined");
      },
    };
    const r = await run(composeMail(), { handlers: [buggy] });
    expect(r).toMatchObject({ kind: "failed", reason: "INBOX uid 7: buggy: x is undefined" });
    expect(r.kind === "failed" && r.bug).toBeInstanceOf(TypeError);
  });

  it("fails a mail over the size limit without parsing it", async () => {
    let matched = 0;
    const counting: MailHandler = { ...ipLinesHandler, match: () => `${++matched}` };
    const raw = composeMail({ body: "x".repeat(5000) });
    const r = await run(raw, { handlers: [counting], maxBytes: 4096 });
    expect(r).toMatchObject({
      kind: "failed",
      reason: `INBOX uid 7: the mail is ${raw.length} bytes, over the limit of 4096`,
      messageId: "report-1@reports.example.com",
    });
    expect(matched).toBe(0);
  });

  it("drops mail from the mesh's own reporter address (no loops)", async () => {
    const raw = composeMail({ from: "CERT Reporter <Reporter@CERT.example.org>" });
    const r = await run(raw, { ownAddresses: ["reporter@cert.example.org"] });
    expect(r).toEqual({
      kind: "dropped",
      reason: "from the mesh's own address reporter@cert.example.org",
      messageId: "report-1@reports.example.com",
    });
  });

  it("keeps the handler's problems and notes", async () => {
    const noisy: MailHandler = {
      name: "noisy",
      match: () => "always",
      read: () => ({ events: [], problems: ["row 3: bad ip"], notes: ["ip derived"] }),
    };
    const r = read(await run(composeMail(), { handlers: [noisy] }));
    expect([r.events, r.problems, r.notes]).toEqual([[], ["row 3: bad ip"], ["ip derived"]]);
  });

  it("leaves out envelope keys the mail does not have", async () => {
    const raw = Buffer.from("Subject: Abuse report\r\n\r\nIP: 192.0.2.5\r\n");
    const r = read(await run(raw));
    expect(r.events[0]?.keys().sort()).toEqual(
      [
        "ip",
        "mail subject",
        "observation time",
        "report format",
        "trust reason",
        "trusted",
        "type",
      ].sort(),
    );
  });

  it("reads an ARF report with the ARF handler", async () => {
    const fixture = new URL("./fixtures/arf/abuse-minimal.eml", import.meta.url);
    const r = read(await run(readFileSync(fixture), { handlers: [ipLinesHandler, arfHandler] }));
    expect(r.handler).toBe("arf");
    expect(r.reason).toContain("feedback-report");
    expect(r.events).toHaveLength(1);
    expect(r.events[0]?.toJSON()).toMatchObject({
      ip: ["192.0.2.1"],
      "mail from": ["abusedesk@example.com"],
      "mail subject": ["FW: Earn money"],
      "report format": ["arf"],
      trusted: ["yes"],
    });
  });
});
