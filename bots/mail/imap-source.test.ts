import { describe, expect, it } from "vitest";
import { parseParams } from "../../core/sdk/params.js";
import { clientOptions, imap, isLoopbackHost } from "./imap-source.js";

function paramsOf(raw: Record<string, unknown>) {
  const { values, problems } = parseParams(imap.params, { user: "reports@example.test", ...raw });
  expect(problems).toEqual([]);
  return values;
}

describe("imap source params", () => {
  it("refuses plaintext to anything but a loopback address", () => {
    expect(imap.check?.(paramsOf({ host: "mail.example.com", tls: "none" }))).toEqual([
      {
        key: "tls",
        message:
          "imap: tls: none sends the password in the clear; it is allowed only to a loopback address, not to mail.example.com (use imaps or starttls)",
      },
    ]);
    for (const host of ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.53"]) {
      expect(imap.check?.(paramsOf({ host, tls: "none" })), host).toEqual([]);
    }
    expect(imap.check?.(paramsOf({ host: "mail.example.com" }))).toEqual([]);
  });

  it("names a CA file that is not there", () => {
    const p = paramsOf({ host: "mail.example.com", ca_file: "/nonexistent/ca.pem" });
    expect(imap.check?.(p)).toEqual([
      { key: "ca_file", message: "no such file: /nonexistent/ca.pem" },
    ]);
  });

  it("tells loopback hosts apart", () => {
    expect(["127.0.0.1", "::1", "LOCALHOST"].map(isLoopbackHost)).toEqual([true, true, true]);
    expect(["192.0.2.1", "2001:db8::1", "localhost.example.com"].map(isLoopbackHost)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it("verifies certificates, with TLS from the start or by a required STARTTLS", () => {
    const imaps = clientOptions(paramsOf({ host: "mail.example.com" }));
    expect(imaps).toMatchObject({ port: 993, secure: true, tls: { rejectUnauthorized: true } });
    const starttls = clientOptions(paramsOf({ host: "mail.example.com", tls: "starttls" }));
    expect(starttls).toMatchObject({ port: 143, secure: false, doSTARTTLS: true });
    expect(starttls.tls).toMatchObject({ rejectUnauthorized: true });
    const plain = clientOptions(paramsOf({ host: "127.0.0.1", tls: "none", port: 1143 }));
    expect(plain).toMatchObject({ port: 1143, secure: false, doSTARTTLS: false });
    // No password in the options built from params: it comes from the environment at start.
    expect(imaps).not.toHaveProperty("auth");
  });

  it("declares its password variable as a secret", () => {
    expect(imap.secrets?.(paramsOf({ host: "h", password_env: "ABUSE_IMAP_PW" }))).toEqual([
      "ABUSE_IMAP_PW",
    ]);
  });
});
