import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "./main.js";

function capture(): { err: () => string } {
  let err = "";
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  return { err: () => err };
}

describe("startup.ts argument errors", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    [
      ["send", "--bogus"],
      /^startup\.ts send: Unknown option '--bogus'\nusage: npx tsx startup\.ts send ROOM/,
    ],
    [
      ["receive", "raw", "--count"],
      /^startup\.ts receive: Option '--count <value>' argument missing\nusage: /,
    ],
    [
      ["match", "--nope", "a = b"],
      /^startup\.ts match: Unknown option '--nope'\nusage: npx tsx startup\.ts match RULE/,
    ],
    [
      ["graph", "-x"],
      /^startup\.ts graph: Unknown option '-x'\nusage: npx tsx startup\.ts graph \[--config FILE\] \[--svg OUT\] {3}\(--help/,
    ],
  ])(
    "%j: one line naming the problem, the usage line, exit 2",
    async (argv, expected) => {
      const out = capture();
      expect(await main(argv)).toBe(2);
      expect(out.err()).toMatch(expected);
      expect(out.err().trim().split("\n")).toHaveLength(2);
      expect(out.err()).not.toMatch(/\n\s+at /);
    },
    30_000,
  ); // the first import of a command's module takes seconds on a busy machine

  it("an unknown command gets one line and the usage, exit 2", async () => {
    const out = capture();
    expect(await main(["frobnicate"])).toBe(2);
    expect(out.err()).toMatch(/^startup\.ts: unknown command "frobnicate"\n\nusage: /);
  });
});
