import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function match(args: string[], input: string) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "startup.ts", "match", ...args], {
    cwd: ROOT,
    input,
    encoding: "utf8",
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const lines = (...objs: unknown[]) => objs.map((o) => JSON.stringify(o)).join("\n") + "\n";

describe("startup.ts match", () => {
  it("writes only the matching events, in the receiver format", () => {
    const r = match(
      ["ip in 192.0.2.0/24 and asn = 64496"],
      lines(
        { ip: "192.0.2.1", asn: "64496" },
        { ip: "203.0.113.9", asn: "64496" },
        { ip: ["198.51.100.1", "192.0.2.200"], asn: ["64511", "64496"] },
      ),
    );
    expect(r.code).toBe(0);
    expect(
      r.out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      { asn: ["64496"], ip: ["192.0.2.1"] },
      { asn: ["64496", "64511"], ip: ["192.0.2.200", "198.51.100.1"] },
    ]);
  });

  it("reports bad lines by number, keeps going, and exits 2", () => {
    const input = `{"type": "scanner"}\nnot json\n{"port": true}\n{"type": ["scanner", "spam"]}\n`;
    const r = match(["type = scanner"], input);
    expect(r.code).toBe(2);
    expect(r.out.trim().split("\n")).toHaveLength(2);
    expect(r.err).toMatch(/line 2: not JSON/);
    expect(r.err).toMatch(/line 3: key "port": expected a string, a number .*got boolean true/);
  });

  it("takes JSON numbers as their text, as AbuseHelper's sender does", () => {
    const r = match(["port = 80 and score = 1.50"], `{"port": 80, "score": 1.50}\n{"port": 443}\n`);
    expect(r.code).toBe(0);
    expect(r.out).toBe('{"port": ["80"], "score": ["1.50"]}\n');
  });

  it("rejects a bad rule with one line naming the position", () => {
    const r = match(["asn = "], "");
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/bad rule: .*position 7/);
  });

  it("--lint warns when and/or are mixed without parentheses", () => {
    const r = match(["--lint", "a = 1 and b = 2 or c = 3"], lines({ a: "1", c: "3" }));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: .*a = 1 and \(b = 2 or c = 3\)/);
    // No precedence: a=1 and (b=2 or c=3) is true for {a:1, c:3}.
    expect(r.out).toContain('"c": ["3"]');
  });
});
