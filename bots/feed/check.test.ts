import { describe, expect, it } from "vitest";
import { authTrouble, checkAuth, checkMapping } from "./check.js";

const problems = (fn: () => unknown): string => {
  try {
    fn();
    return "";
  } catch (err) {
    return (err as Error).message;
  }
};

describe("checkMapping groups", () => {
  it("accepts groups with a match naming them, in place of key", () => {
    const rule = { match: "^(?<ip>[\\d.]+):(?<port>\\d+)$", groups: { ip: "ip", port: "port" } };
    expect(problems(() => checkMapping({ fields: { ioc: rule } }))).toBe("");
  });

  it("names every problem: a group the regex lacks, no match, key or time beside groups", () => {
    expect(
      problems(() =>
        checkMapping({ fields: { ioc: { match: "^(?<ip>.+):\\d+$", groups: { port: "port" } } } }),
      ),
    ).toBe("bad map: map.fields.ioc.groups.port: match has no group (?<port>...)");
    expect(
      problems(() => checkMapping({ fields: { ioc: { key: "ip", time: "iso", groups: {} } } })),
    ).toBe(
      "bad map: map.fields.ioc.key: give key or groups, not both; map.fields.ioc.time: cannot be combined with groups; map.fields.ioc.groups: needs match: a regex with named groups like (?<ip>...)",
    );
  });
});

describe("auth in the url", () => {
  it("takes { url: true, env } and wants the {secret} placeholder in the url, and only then", () => {
    expect(checkAuth({ url: true, env: "KEY" })).toEqual({ url: true, env: "KEY" });
    expect(problems(() => checkAuth({ url: true, query: "k", env: "KEY" }))).toMatch(
      /give exactly one of header, query or url: true/,
    );
    const auth = { url: true as const, env: "KEY" };
    expect(authTrouble("https://example.com/data/%7Bsecret%7D/x.csv", auth)).toBeUndefined();
    expect(authTrouble("https://example.com/x.csv?key={secret}", auth)).toBeUndefined();
    expect(authTrouble("https://example.com/x.csv", auth)).toBe(
      "auth.url: the url needs a {secret} placeholder for the secret KEY",
    );
    expect(authTrouble("https://example.com/{secret}/x.csv", undefined)).toMatch(
      /url: \{secret\} is filled only by auth: \{ url: true/,
    );
  });
});
