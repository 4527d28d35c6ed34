import { describe, expect, it } from "vitest";
import { checkXmpp } from "./check-xmpp.js";
import { ProblemList } from "./problems.js";

function check(raw: unknown): {
  config: unknown;
  problems: [string, string | undefined, string][];
} {
  const list = new ProblemList("mesh.yaml", { xmpp: raw });
  const config = checkXmpp(raw, list);
  return { config, problems: list.items.map((p) => [p.level, p.key, p.message]) };
}

describe("checkXmpp", () => {
  it("defaults to a managed server with archives", () => {
    expect(check(undefined).config).toEqual({ mode: "managed", login: "client", mam: true });
    expect(check({ mode: "managed", login: "component", mam: false }).config).toEqual({
      mode: "managed",
      login: "component",
      mam: false,
    });
  });

  it("defaults the MUC service to conference.<domain> and TLS verification on", () => {
    const { config, problems } = check({
      mode: "client",
      service: "xmpps://xmpp.example.org:5223",
      domain: "example.org",
    });
    expect(problems).toEqual([]);
    expect(config).toEqual({
      mode: "client",
      service: "xmpps://xmpp.example.org:5223",
      domain: "example.org",
      muc: "conference.example.org",
      verifyTls: true,
    });
  });

  it("reports every missing or wrong field of a remote mode at once", () => {
    const { config, problems } = check({
      mode: "component",
      service: "https://x.example.org",
      muc: "not a domain",
      secert: "x",
    });
    expect(config).toBeUndefined();
    expect(problems.map(([level, key]) => [level, key])).toEqual([
      ["error", "secert"],
      ["error", "service"],
      ["error", "domain"],
      ["error", "muc"],
      ["error", "secret"],
    ]);
    expect(problems[0]?.[2]).toContain("did you mean");
  });

  it("warns about STARTTLS to a remote host, refuses plaintext components and unverified TLS", () => {
    expect(
      check({
        mode: "client",
        service: "xmpp://xmpp.example.org",
        domain: "example.org",
        verify_tls: false,
      }).problems,
    ).toEqual([
      ["warning", "service", expect.stringContaining("STARTTLS") as unknown],
      ["error", "verify_tls", expect.stringContaining("NODE_EXTRA_CA_CERTS") as unknown],
    ]);
    const component = { mode: "component", domain: "bots.example.org", secret: "s" };
    expect(check({ ...component, service: "xmpp://prosody.internal:5347" }).problems).toEqual([
      ["error", "service", expect.stringContaining("loopback only") as unknown],
    ]);
    expect(check({ ...component, service: "xmpp://[::1]:5347" }).problems).toEqual([]);
  });

  it("rejects an unknown mode", () => {
    expect(check("cloud").problems).toEqual([
      ["error", undefined, expect.stringContaining("managed, client, component") as unknown],
    ]);
  });
});
