import { describe, expect, it } from "vitest";
import { XmppConfigError } from "./errors.js";
import { isLoopbackHost, parseService } from "./service.js";

describe("isLoopbackHost", () => {
  it.each([
    "127.0.0.1",
    "127.8.9.10",
    "::1",
    "0:0:0:0:0:0:0:1",
    "localhost",
    "LOCALHOST.",
    "::ffff:127.0.0.1",
  ])("%s is loopback", (host) => expect(isLoopbackHost(host)).toBe(true));
  it.each(["192.0.2.1", "128.0.0.1", "::2", "example.com", "localhost.example.com", "10.127.0.1"])(
    "%s is not",
    (host) => expect(isLoopbackHost(host)).toBe(false),
  );
});

describe("parseService", () => {
  it("reads protocol, host and port", () => {
    expect(parseService("xmpps://xmpp.example.com:5223")).toEqual({
      protocol: "xmpps",
      host: "xmpp.example.com",
      port: 5223,
      loopback: false,
    });
    expect(parseService("xmpp://[::1]:5222")).toMatchObject({ host: "::1", loopback: true });
  });

  it("refuses other protocols and garbage with a config error", () => {
    expect(() => parseService("http://example.com")).toThrow(XmppConfigError);
    expect(() => parseService("example.com:5222")).toThrow(/xmpp:\/\//);
  });
});
