import { generateKeyPairSync } from "node:crypto";
import { dkimSign, sealMessage, type DNSResolver } from "mailauth";
import { describe, expect, it } from "vitest";
import { headerLines } from "./parse.js";
import { composeMail } from "./test-mails.js";
import { aligned, checkTrust, parseAuthResults, type TrustOptions } from "./trust.js";

// A key of our own, published by a fake DNS at s1._domainkey.<domain> for the domains below.
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = privateKey.export({ type: "pkcs8", format: "pem" });
const TXT = `v=DKIM1; k=rsa; p=${publicKey.export({ type: "spki", format: "der" }).toString("base64")}`;
const PUBLISHED = new Set(["s1._domainkey.example.com", "s1._domainkey.example.org"]);

const fakeDns: DNSResolver = (name, rrtype) => {
  if (rrtype === "TXT" && PUBLISHED.has(name)) return Promise.resolve([[TXT]]);
  return Promise.reject(
    Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: "ENOTFOUND" }),
  );
};

async function signed(raw: Buffer, domain: string): Promise<Buffer> {
  // mailauth's typings name the options flat; the signer reads them as signatureData.
  const opts = { signatureData: [{ signingDomain: domain, selector: "s1", privateKey: PEM }] };
  const { signatures } = await dkimSign(raw, opts as never);
  return Buffer.concat([Buffer.from(signatures), raw]);
}

async function sealed(raw: Buffer, domain: string): Promise<Buffer> {
  const seal = { signingDomain: domain, selector: "s1", privateKey: PEM };
  const opts = { ...seal, authResults: "mx.example.net; dkim=none", cv: "none" };
  return Buffer.concat([await sealMessage(raw, opts), raw]);
}

const check = (raw: Buffer, from: string | undefined, opts: TrustOptions = {}) =>
  checkTrust(raw, from, headerLines(raw), { resolver: fakeDns, ...opts });

const FROM = "abuse@reports.example.com";
const mail = composeMail({ from: FROM });

describe("trust", () => {
  it("trusts a mail with a DKIM signature that verifies for the sender's domain", async () => {
    expect(await check(await signed(mail, "example.com"), FROM)).toEqual({
      trusted: true,
      reason: "dkim=pass header.d=example.com",
    });
  });

  it("does not trust a valid signature of another domain", async () => {
    expect(await check(await signed(mail, "example.org"), FROM)).toEqual({
      trusted: false,
      reason: "dkim=pass header.d=example.org (not the sender's domain reports.example.com)",
    });
  });

  it("does not trust a signed mail whose body was changed", async () => {
    const raw = await signed(mail, "example.com");
    const changed = Buffer.from(raw.toString().replace("192.0.2.1", "192.0.2.99"));
    const t = await check(changed, FROM);
    expect(t.trusted).toBe(false);
    expect(t.reason).toMatch(/^dkim=(neutral|fail) header\.d=example\.com \(body hash/);
  });

  it("does not trust an unsigned mail", async () => {
    expect(await check(mail, FROM)).toEqual({ trusted: false, reason: "no signature" });
  });

  it("does not trust a mail whose key is not in DNS", async () => {
    const t = await check(await signed(mail, "example.net"), "abuse@example.net");
    expect(t.trusted).toBe(false);
    expect(t.reason).toMatch(/^dkim=\w+ header\.d=example\.net/);
  });

  it("trusts an ARC chain sealed for the sender's domain, not one sealed by another", async () => {
    expect(await check(await sealed(mail, "example.com"), FROM)).toEqual({
      trusted: true,
      reason: "arc=pass i=1 header.d=example.com",
    });
    expect(await check(await sealed(mail, "example.org"), FROM)).toEqual({
      trusted: false,
      reason: "arc=pass (sealed by example.org)",
    });
  });

  it("believes dkim=pass in Authentication-Results only from a configured authserv-id", async () => {
    const ar =
      "Authentication-Results: mx.example.net (Postfix 3.7);\r\n dkim=pass (2048-bit key) header.d=example.com header.s=s1; spf=pass";
    const raw = composeMail({ from: FROM, headers: [ar] });
    expect(await check(raw, FROM, { authservIds: ["MX.example.net"] })).toEqual({
      trusted: true,
      reason: "mx.example.net: dkim=pass header.d=example.com",
    });
    // Anyone can write that field: another id is not our MX.
    expect(await check(raw, FROM, { authservIds: ["mx.example.org"] })).toEqual({
      trusted: false,
      reason: "no signature",
    });
    const other = composeMail({ from: FROM, headers: [ar.replace("example.com", "example.org")] });
    expect((await check(other, FROM, { authservIds: ["mx.example.net"] })).trusted).toBe(false);
  });

  it("gives up on a DNS that does not answer, within the time allowed", async () => {
    const silent: DNSResolver = () => new Promise(() => undefined);
    const raw = await signed(mail, "example.com");
    const started = Date.now();
    const t = await check(raw, FROM, { resolver: silent, timeoutMs: 300 });
    expect(t.trusted).toBe(false);
    expect(t.reason).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("never throws: a failing resolver or a mail without From is untrusted with a reason", async () => {
    const broken: DNSResolver = () => {
      throw new Error("resolver exploded");
    };
    const t = await check(await signed(mail, "example.com"), FROM, { resolver: broken });
    expect(t.trusted).toBe(false);
    expect(await check(mail, undefined)).toEqual({
      trusted: false,
      reason: "no From address with a domain",
    });
    expect((await check(Buffer.from("\x00\xff garbage"), FROM)).trusted).toBe(false);
  });

  it("aligns a signer with the sender's domain and its subdomains only", () => {
    expect(aligned("example.com", "example.com")).toBe(true);
    expect(aligned("Example.COM.", "abuse.example.com")).toBe(true);
    expect(aligned("example.com", "badexample.com")).toBe(false);
    expect(aligned("com", "example.com")).toBe(false);
  });

  it("parses Authentication-Results with comments and versions", () => {
    const ar = parseAuthResults(
      'mx.example.net 1; dkim=pass (good sig; yes) header.d=example.com header.i="@example.com"; arc=none',
    );
    expect(ar).toEqual({
      authservId: "mx.example.net",
      results: [
        {
          method: "dkim",
          result: "pass",
          props: { "header.d": "example.com", "header.i": "@example.com" },
        },
        { method: "arc", result: "none", props: {} },
      ],
    });
  });
});
