import { describe, expect, it } from "vitest";
import { luaString, renderProsodyConfig, type ProsodyConfigInput } from "./prosody-config.js";

const base: ProsodyConfigInput = {
  dir: "/var/lib/mesh/prosody",
  host: "localhost",
  mucHost: "rooms.localhost",
  bind: "127.0.0.1",
  c2sPort: 15222,
  componentPort: 15347,
  components: [{ domain: "bots.localhost", secret: 'se"cret' }],
  mam: true,
  runAsRoot: true,
  maxStanzaSize: 1048576,
  archiveItemLimit: 100000,
};

describe("renderProsodyConfig", () => {
  it("never loads the limits module that throttles clients to 10 kB/s", () => {
    expect(renderProsodyConfig(base)).not.toMatch(/"limits"/);
  });

  it("archives every room with muc_mam only when mam is on", () => {
    expect(renderProsodyConfig(base)).toContain('modules_enabled = { "muc_mam" }');
    expect(renderProsodyConfig(base)).toContain("muc_log_all_rooms = true");
    expect(renderProsodyConfig({ ...base, mam: false })).not.toContain("muc_mam");
  });

  it("declares each external component with its secret quoted for Lua", () => {
    expect(renderProsodyConfig(base)).toContain(
      'Component "bots.localhost" -- XEP-0114\n  component_secret = "se\\"cret"',
    );
  });

  it("keeps s2s off unless federation is asked for", () => {
    expect(renderProsodyConfig(base)).toContain('modules_disabled = { "s2s" }');
    const fed = renderProsodyConfig({
      ...base,
      s2s: { port: 5269, hostsFile: "/d/hosts", resolvConf: "/d/resolv.conf" },
    });
    expect(fed).toContain("modules_disabled = {}");
    expect(fed).toContain('unbound = { hoststxt = "/d/hosts"; resolvconf = "/d/resolv.conf" }');
  });

  it("sets run_as_root only when running as root", () => {
    expect(renderProsodyConfig(base)).toContain("run_as_root = true");
    expect(renderProsodyConfig({ ...base, runAsRoot: false })).not.toContain("run_as_root");
  });
});

describe("luaString", () => {
  it("escapes backslashes and quotes", () => {
    expect(luaString('a\\b"c')).toBe('"a\\\\b\\"c"');
  });

  it("rejects control characters instead of writing a broken config", () => {
    expect(() => luaString("a\nb")).toThrow(/control character/);
  });
});
