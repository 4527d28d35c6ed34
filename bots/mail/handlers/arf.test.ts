import { readFileSync } from "node:fs";
import { describe, it, expect } from "vitest";
import { formatAddr } from "../../../core/index.js";
import { DEFAULT_LIMITS, MailError } from "../handler.js";
import { parseMail } from "../parse.js";
import { crashesOnDamage } from "../test-damage.js";
import { arfHandler, receivedSource } from "./arf.js";

const DIR = new URL("../fixtures/arf/", import.meta.url);
const ctx = { limits: DEFAULT_LIMITS };
const load = (name: string) => parseMail(readFileSync(new URL(name, DIR)), name);
const read = async (name: string) => {
  const mail = await load(name);
  expect(arfHandler.match(mail)).toBe("Content-Type multipart/report; report-type=feedback-report");
  return arfHandler.read(mail, ctx);
};
const failure = async (name: string) => {
  const err = await Promise.resolve()
    .then(() => read(name))
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MailError);
  return (err as MailError).message;
};

describe("arf handler", () => {
  it("reads every field of a full RFC 5965 report (CRLF mail)", async () => {
    expect(readFileSync(new URL("abuse-full.eml", DIR), "latin1")).toContain("\r\n");
    const result = await read("abuse-full.eml");
    expect(result.events).toEqual([
      {
        "report format": ["arf"],
        "report type": ["abuse"],
        category: ["abuse"],
        type: ["spam"],
        ip: ["192.0.2.1"],
        "source time": ["2024-12-03 08:58:41Z"],
        url: ["http://shop.example.net/pills?id=42", "http://www.example.org/unsubscribe"],
        "domain name": ["example.net"],
        "original mail from": ["bulk-sender@example.net"],
        incidents: ["3"],
      },
    ]);
    expect(result.problems).toEqual([]);
  });

  it("recovers the source of the RFC 5965 B.1 report from its only Received field", async () => {
    const result = await read("abuse-minimal.eml");
    expect(result.events).toEqual([
      {
        "report format": ["arf"],
        "report type": ["abuse"],
        category: ["abuse"],
        type: ["spam"],
        ip: ["192.0.2.1"],
        "source time": ["2005-03-08 18:00:00Z"],
        derived: ["ip: received header", "source time: received header"],
      },
    ]);
    expect(result.notes).toEqual([
      "source ip 192.0.2.1 derived from the reported message's Received field 1",
    ]);
  });

  it("takes the reporter's MX hop in a sparse feedback-loop mail, past internal hops, not the HELO nor a forged hop below", async () => {
    const result = await read("fbl-sparse.eml");
    expect(result.events).toEqual([
      {
        "report format": ["arf"],
        "report type": ["abuse"],
        category: ["abuse"],
        type: ["spam"],
        ip: ["203.0.113.45"],
        "source time": ["2024-12-04 10:02:09Z"],
        derived: ["ip: received header", "source time: received header"],
      },
    ]);
  });

  it("reads an RFC 6591 DKIM failure report with IPv6 Source-IP and text/rfc822-headers", async () => {
    const result = await read("auth-failure-dkim.eml");
    expect(result.events).toEqual([
      {
        "report format": ["arf"],
        "report type": ["auth-failure"],
        category: ["abuse"],
        type: ["auth failure"],
        ip: ["2001:db8::25"],
        "source time": ["2024-12-06 13:44:07Z"],
        "domain name": ["example.net"],
        "original mail from": ["randomuser@example.net"],
        reason: ["auth failure: bodyhash"],
        "delivery result": ["delivered"],
        "dkim domain": ["example.net"],
        "dkim selector": ["news2024"],
      },
    ]);
  });

  it("reads a DMARC failure report whose report part is quoted-printable", async () => {
    const result = await read("auth-failure-dmarc.eml");
    expect(result.events).toEqual([
      {
        "report format": ["arf"],
        "report type": ["auth-failure"],
        category: ["abuse"],
        type: ["auth failure"],
        ip: ["198.51.100.23"],
        "source time": ["2024-12-07 07:41:19Z"],
        "domain name": ["example.com"],
        "original mail from": ["ceo@example.com"],
        reason: ["auth failure: dmarc", "auth failure: spf"],
        "delivery result": ["reject"],
      },
    ]);
  });

  it("maps fraud to the fraud category and reads a bracketed Source-IP", async () => {
    const [event] = (await read("fraud.eml")).events;
    expect(event).toMatchObject({
      category: ["fraud"],
      type: ["fraud"],
      ip: ["203.0.113.9"],
      url: ["http://login.example-bank.example.com/verify"],
      "source time": ["2024-12-09 21:02:55Z"],
    });
  });

  it("yields no event for a not-spam report, and says so", async () => {
    const result = await read("not-spam.eml");
    expect(result.events).toEqual([]);
    expect(result.notes).toEqual(["Feedback-Type not-spam: no abuse reported, no event"]);
  });

  it("lists bad fields as problems and keeps the rest", async () => {
    const result = await read("bad-fields.eml");
    expect(result.events).toEqual([
      {
        "report format": ["arf"],
        "report type": ["abuse"],
        category: ["abuse"],
        type: ["spam"],
        "domain name": ["example.net"],
      },
    ]);
    expect(result.problems).toEqual([
      'bad-fields.eml, part 2 (message/feedback-report), line 4: not a "Name: value" field, skipped',
      'bad-fields.eml, part 2 (message/feedback-report), line 3: Version "2" is not 1 (RFC 5965 §3.1); read as 1',
      "bad-fields.eml, part 2 (message/feedback-report): no Source-IP, and no reported message",
      'bad-fields.eml, part 2 (message/feedback-report), line 5: Arrival-Date "sometime last week" is not a date, skipped',
    ]);
  });

  it("refuses a report without its machine-readable part", async () => {
    expect(await failure("bad-no-feedback-part.eml")).toBe(
      "bad-no-feedback-part.eml: a feedback report without a message/feedback-report part (RFC 5965 §2)",
    );
  });

  it("refuses a report without Feedback-Type", async () => {
    expect(await failure("bad-no-feedback-type.eml")).toBe(
      "bad-no-feedback-type.eml, part 2 (message/feedback-report): no Feedback-Type field (RFC 5965 §3.1)",
    );
  });

  it("refuses a Source-IP that is not an address, naming the line", async () => {
    expect(await failure("bad-source-ip.eml")).toBe(
      'bad-source-ip.eml, part 2 (message/feedback-report), line 4: Source-IP "300.1.2.3" is not an IP address',
    );
  });

  it("leaves X-ARF carried in ARF (Feedback-Type: xarf) and other mail to other handlers", async () => {
    const xarf = await parseMail(
      readFileSync(new URL("../xarf/v4-spam-over-arf.eml", DIR)),
      "v4-spam-over-arf.eml",
    );
    expect(arfHandler.match(xarf)).toBeUndefined();
    const fail2ban = await parseMail(
      readFileSync(new URL("../fail2ban/complain-sshd.eml", DIR)),
      "complain-sshd.eml",
    );
    expect(arfHandler.match(fail2ban)).toBeUndefined();
  });
});

describe("receivedSource", () => {
  it("reads the TCP-info address, not the HELO literal, and skips private and loopback hops", () => {
    const hop = receivedSource([
      "from localhost (localhost [127.0.0.1]) by filter.example.com; Wed, 04 Dec 2024 10:02:11 +0000",
      "from relay (relay.example.com [10.1.2.3]) by mx.example.com",
      "from [198.51.100.7] (helo.example.net [IPv6:2001:db8::7]) by mx.example.com; Wed, 04 Dec 2024 10:02:09 +0000",
      "from [192.0.2.1] by forged.example.net",
    ]);
    expect(
      hop && { index: hop.index, ip: formatAddr(hop.addr), date: hop.date?.toISOString() },
    ).toEqual({
      index: 2,
      ip: "2001:db8::7",
      date: "2024-12-04T10:02:09.000Z",
    });
  });

  it("reads exim, qmail and bare-literal forms, and nothing from by-clauses", () => {
    const ip = (field: string) => {
      const hop = receivedSource([field]);
      return hop && formatAddr(hop.addr);
    };
    expect(ip("from host.example.net ([192.0.2.5] helo=host) by mx.example.com")).toBe("192.0.2.5");
    expect(ip("from unknown (HELO x) (192.0.2.6) by mx.example.com")).toBe("192.0.2.6");
    expect(ip("from [192.0.2.7] by mx.example.com")).toBe("192.0.2.7");
    expect(ip("by mx.example.com (192.0.2.8) with LMTP")).toBeUndefined();
    expect(ip("from mx.example.com by other (192.0.2.9)")).toBeUndefined();
  });
});

describe("arf handler on damaged mails", () => {
  it("throws only MailErrors on every fixture cut short or with bytes changed", async () => {
    expect(await crashesOnDamage(arfHandler, DIR, [0x3a, 0x0a, 0x2d, 0x5b])).toEqual([]);
  });
});
