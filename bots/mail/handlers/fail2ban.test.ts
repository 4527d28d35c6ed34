import { readFileSync } from "node:fs";
import { describe, it, expect } from "vitest";
import { DEFAULT_LIMITS, MailError } from "../handler.js";
import { parseMail } from "../parse.js";
import { crashesOnDamage } from "../test-damage.js";
import { fail2banHandler } from "./fail2ban.js";
import { DESCRIPTION_MAX } from "./xarf.js";

const DIR = new URL("../fixtures/fail2ban/", import.meta.url);
const ctx = { limits: DEFAULT_LIMITS };
const load = (name: string) => parseMail(readFileSync(new URL(name, DIR)), name);
const read = async (name: string) => {
  const mail = await load(name);
  expect(fail2banHandler.match(mail)).toBeDefined();
  return fail2banHandler.read(mail, ctx);
};

const XARF_LOG =
  "Note: Local timezone is +0000 (UTC)\n\n" +
  "2024-12-10T02:13:40.112233+00:00 mail dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<info>, method=PLAIN, rip=2001:db8:beef::17, lip=2001:db8::25, TLS\n" +
  "2024-12-10T02:14:12.445566+00:00 mail dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<admin>, method=PLAIN, rip=2001:db8:beef::17, lip=2001:db8::25, TLS";

describe("fail2ban handler, complain action", () => {
  it("reads the address, the log lines and the service they name", async () => {
    const mail = await load("complain-sshd.eml");
    expect(fail2banHandler.match(mail)).toBe(
      'Subject "Abuse from <ip>" and the letter of fail2ban\'s complain action',
    );
    const result = await fail2banHandler.read(mail, ctx);
    expect(result.events).toEqual([
      {
        "report format": ["fail2ban"],
        category: ["abuse"],
        type: ["login attack"],
        ip: ["198.51.100.23"],
        service: ["ssh"],
        "source time": ["2024-12-10 02:14:15Z"],
        derived: ["service: log lines", "source time: mail date"],
        description: [
          "Note: Local timezone is +0100 (CET)\n" +
            "Dec 10 03:13:58 web1 sshd[41210]: Invalid user oracle from 198.51.100.23 port 39112\n" +
            "Dec 10 03:14:01 web1 sshd[41212]: Failed password for invalid user oracle from 198.51.100.23 port 39130 ssh2\n" +
            "Dec 10 03:14:07 web1 sshd[41215]: Failed password for root from 198.51.100.23 port 39188 ssh2\n" +
            "Dec 10 03:14:12 web1 sshd[41219]: Failed password for root from 198.51.100.23 port 39204 ssh2\n" +
            "Dec 10 03:14:14 web1 sshd[41221]: Connection closed by authenticating user root 198.51.100.23 port 39222 [preauth]",
        ],
      },
    ]);
    expect(result.problems).toEqual([]);
  });

  it("bounds the description of a ban with a thousand log lines", async () => {
    const raw = readFileSync(new URL("complain-sshd.eml", DIR), "utf8");
    const line =
      "Dec 10 03:14:07 web1 sshd[41215]: Failed password for root from 198.51.100.23 port 39188 ssh2\n";
    const mail = await parseMail(Buffer.from(raw + line.repeat(1000)), "long.eml");
    const result = await fail2banHandler.read(mail, ctx);
    const description =
      result.events[0] && (result.events[0] as Record<string, string[]>)["description"];
    expect(description?.[0]?.length).toBeLessThanOrEqual(DESCRIPTION_MAX);
    expect(description?.[0]?.endsWith("ssh2")).toBe(true);
    expect(result.notes?.[0]).toMatch(/^description: the first \d+ characters of the log lines$/);
  });

  it("lists a letter without log lines as a problem and keeps the event", async () => {
    const result = await read("bad-complain-no-lines.eml");
    expect(result.events).toEqual([
      {
        "report format": ["fail2ban"],
        category: ["abuse"],
        type: ["login attack"],
        ip: ["198.51.100.23"],
        "source time": ["2024-12-10 02:14:15Z"],
        derived: ["source time: mail date"],
      },
    ]);
    expect(result.problems).toEqual([
      'bad-complain-no-lines.eml: no "Lines containing failures of 198.51.100.23" section, so no log lines',
    ]);
  });

  it("refuses a subject whose address is not one", async () => {
    const err = await Promise.resolve()
      .then(() => read("bad-complain-subject.eml"))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailError);
    expect((err as MailError).message).toBe(
      'bad-complain-subject.eml, Subject: "198.51.100.256" in "Abuse from 198.51.100.256" is not an IP address',
    );
  });
});

describe("fail2ban handler, xarf-login-attack action", () => {
  it("reads the X-ARF 0.2 report of the action (CRLF mail, IPv6 source)", async () => {
    const mail = await load("xarf-login-attack.eml");
    expect(fail2banHandler.match(mail)).toBe(
      "X-ARF 0.2 report with User-Agent Fail2ban (its xarf-login-attack action)",
    );
    expect((await fail2banHandler.read(mail, ctx)).events).toEqual([
      {
        "report format": ["x-arf 0.2"],
        "report type": ["login-attack"],
        category: ["abuse"],
        type: ["login attack"],
        ip: ["2001:db8:beef::17"],
        "report id": ["1733796855@mail.example.org"],
        feeder: ["fail2ban@mail.example.org"],
        service: ["imap"],
        port: ["993"],
        occurrences: ["6"],
        "source time": ["2024-12-10 02:14:15Z"],
        description: [XARF_LOG],
      },
    ]);
  });

  it("drops the action's defaults (Port 0, Service unspecified) and reads the service from the log", async () => {
    const [event] = (await read("xarf-login-attack-defaults.eml")).events as Record<
      string,
      string[]
    >[];
    expect(event?.["port"]).toBeUndefined();
    expect(event?.["service"]).toEqual(["imap"]);
    expect(event?.["derived"]).toEqual(["service: log lines"]);
  });

  it("does not take other X-ARF or ARF mail", async () => {
    for (const other of ["../xarf/v02-login-attack.eml", "../arf/abuse-full.eml"]) {
      const mail = await parseMail(readFileSync(new URL(other, DIR)), other);
      expect(fail2banHandler.match(mail)).toBeUndefined();
    }
  });
});

describe("fail2ban handler on damaged mails", () => {
  it("throws only MailErrors on every fixture cut short or with bytes changed", async () => {
    expect(await crashesOnDamage(fail2banHandler, DIR, [0x3a, 0x0a, 0x2d, 0x20])).toEqual([]);
  });
});
