import { existsSync, readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, MailError, type MailHandler } from "../handler.js";
import { readNetworks } from "../items.js";
import { parseMail } from "../parse.js";
import { readTemplate } from "../template.js";
import { TEMPLATE_DIR, templateHandler, templateHandlers } from "./template.js";

const FIXTURES = new URL("../fixtures/templates/", import.meta.url);
const ctx = { limits: DEFAULT_LIMITS };
const load = (name: string) => parseMail(readFileSync(new URL(name, FIXTURES)), name);
const handlers = templateHandlers();
const nameOf = (h: MailHandler) => h.name.replace(/^template /, "");

/** The error reading a mail throws (read() may throw before it returns a promise). */
async function errorOf(h: MailHandler, file: string): Promise<unknown> {
  const mail = await load(file);
  try {
    await h.read(mail, ctx);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe("shipped templates", () => {
  it("are at least 20, each with its fixture mail and expected events", () => {
    const files = readdirSync(TEMPLATE_DIR).filter((f) => f.endsWith(".yaml"));
    expect(handlers.length).toBe(files.length);
    expect(handlers.length).toBeGreaterThanOrEqual(20);
    for (const h of handlers) {
      expect(existsSync(new URL(`${nameOf(h)}.eml`, FIXTURES)), `${nameOf(h)}.eml`).toBe(true);
      expect(existsSync(new URL(`${nameOf(h)}.expected.json`, FIXTURES))).toBe(true);
    }
  });

  it.each(handlers.map((h) => [nameOf(h), h] as const))(
    "%s reads its fixture into the expected events, and no other template takes it",
    async (name, h) => {
      const mail = await load(`${name}.eml`);
      const expected = JSON.parse(
        readFileSync(new URL(`${name}.expected.json`, FIXTURES), "utf8"),
      ) as { match: string; events: unknown[]; problems: string[] };
      expect(h.match(mail)).toBe(expected.match);
      const result = await h.read(mail, ctx);
      expect(result.events).toEqual(expected.events);
      expect(result.problems ?? []).toEqual(expected.problems);
      expect(result.events.length).toBeGreaterThan(0);
      const others = handlers.filter((o) => o !== h && o.match(mail) !== undefined);
      expect(others.map((o) => o.name)).toEqual([]);
    },
  );

  it("do not take the other handlers' fixture mails", async () => {
    const root = new URL("../fixtures/", import.meta.url);
    for (const dir of ["arf", "xarf", "fail2ban", "spamcop"]) {
      const url = new URL(`${dir}/`, root);
      if (!existsSync(url)) continue;
      for (const file of readdirSync(url).filter((f) => f.endsWith(".eml"))) {
        const mail = await parseMail(readFileSync(new URL(file, url)), file);
        const taken = handlers.filter((h) => h.match(mail)).map((h) => h.name);
        expect(taken, `${dir}/${file}`).toEqual([]);
      }
    }
  });
});

describe("template handler, malformed mails", () => {
  const byName = (n: string) => handlers.find((h) => nameOf(h) === n) as MailHandler;

  it("refuses a mail the template takes but where no item is found, naming the sources tried", async () => {
    const error = await errorOf(byName("hetzner"), "bad/hetzner-no-ip.eml");
    expect(error).toBeInstanceOf(MailError);
    expect(String(error)).toBe(
      "MailError: bad/hetzner-no-ip.eml: template hetzner: no ip, url or domain name found (tried fields.ip[0], fields.ip[1])",
    );
  });

  it("refuses a mail without a required field", async () => {
    const error = await errorOf(byName("netcraft"), "bad/netcraft-no-issue.eml");
    expect(String(error)).toBe(
      "MailError: bad/netcraft-no-issue.eml: template netcraft: no report id found (tried fields.report id)",
    );
  });

  it("skips values that are not what their key needs and lists them", async () => {
    const result = await byName("cert-bund").read(await load("bad/cert-bund-bad-rows.eml"), ctx);
    expect(result.events.map((e) => (e as Record<string, string[]>)["ip"])).toEqual([
      ["198.51.100.5"],
      ["198.51.100.7"],
    ]);
    expect(result.problems).toEqual([
      'bad/cert-bund-bad-rows.eml: rows, match 2: "198.51.100.300" is not an IP address; skipped',
      "bad/cert-bund-bad-rows.eml: rows, match 2: no ip, url or domain name; row skipped",
      'bad/cert-bund-bad-rows.eml: rows, match 3: "2024-13-10 07:01:42" is not a time (YYYY-MM-DD HH:mm:ss)',
    ]);
  });
});

describe("template handler, own and ignored networks", () => {
  const yaml = readFileSync(new URL("cloudflare.yaml", `file://${TEMPLATE_DIR}`), "utf8");
  const cloudflare = readTemplate(yaml, "templates/cloudflare.yaml");

  it("drops the addresses in own networks and says so", async () => {
    const h = templateHandler(cloudflare, {
      networks: readNetworks({ own: ["198.51.100.0/24"] }),
    });
    const result = await h.read(await load("cloudflare.eml"), ctx);
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({ ip: ["2001:db8:140::1"] });
    expect(result.notes).toContain("ip 198.51.100.140 dropped (own network)");
  });

  it("flags them instead when marking", async () => {
    const h = templateHandler(cloudflare, {
      networks: readNetworks({ ignored: ["2001:db8::/32"], action: "mark" }),
    });
    const result = await h.read(await load("cloudflare.eml"), ctx);
    expect(result.events[0]).toMatchObject({
      ip: ["198.51.100.140", "2001:db8:140::1"],
      "network flag": ["ignored: 2001:db8:140::1"],
    });
  });
});
