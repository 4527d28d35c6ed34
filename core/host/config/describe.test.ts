import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblems, summarizeProblems } from "./describe.js";
import type { ConfigProblem } from "./types.js";

const cwd = path.resolve("/srv/mesh");
const problems: ConfigProblem[] = [
  {
    level: "warning",
    file: path.join(cwd, "rooms.yaml"),
    where: "routes[1]",
    key: "from",
    message: "no bot writes to nowhere",
  },
  {
    level: "error",
    file: path.join(cwd, "config/demo.yaml"),
    where: "bots[2] (id drop)",
    key: "params.url",
    line: 12,
    message: 'expected a URL, got "x"',
  },
  { level: "error", file: "/elsewhere/mesh.yaml", where: "lobby", message: "not a room name" },
];

describe("formatProblems", () => {
  it("prints one line per problem, errors first, files relative to cwd", () => {
    expect(formatProblems(problems, { cwd }).split("\n")).toEqual([
      'error: config/demo.yaml:12: bots[2] (id drop): params.url: expected a URL, got "x"',
      "error: /elsewhere/mesh.yaml: lobby: not a room name",
      "warning: rooms.yaml: routes[1]: from: no bot writes to nowhere",
    ]);
  });

  it("counts errors and warnings", () => {
    expect(summarizeProblems(problems)).toBe("2 errors, 1 warning");
  });
});
