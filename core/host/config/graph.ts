/**
 * The mesh as a Graphviz graph for `startup.ts graph`: rooms are ellipses, bot instances boxes,
 * routes room → room edges labelled with their rule. The lobby is left out: every bot joins it,
 * so it would only tangle the picture. Output is sorted, so the same config gives the same text.
 */
import { appliesRoutes } from "./check-bots.js";
import { spawn } from "node:child_process";
import { roomKey } from "./rooms.js";
import type { MeshConfig } from "./types.js";

export function meshToDot(config: MeshConfig): string {
  const muc = config.xmpp.mode === "managed" ? undefined : config.xmpp.muc;
  const rooms = new Map<string, string>();
  const room = (name: string): string => {
    const key = roomKey(name, muc);
    if (!rooms.has(key)) rooms.set(key, name);
    return `room:${key}`;
  };
  const lobby = roomKey(config.lobby, muc);
  const keep = (name: string): boolean => roomKey(name, muc) !== lobby;

  const bots: string[] = [];
  const sources: string[] = [];
  const edges: string[] = [];
  // The roomgraph instance is drawn as its routes; a box wired to every room says nothing.
  for (const inst of config.instances.filter((i) => !appliesRoutes(i))) {
    const node = `bot:${inst.id}`;
    const label = `${inst.id}\n(${inst.bot})${inst.enabled ? "" : "\ndisabled"}`;
    const style = inst.enabled ? "" : ", style=dashed";
    bots.push(`  ${q(node)} [label=${q(label)}, shape=box${style}];`);
    if (inst.in.length === 0) sources.push(q(node));
    for (const r of inst.in.filter(keep)) edges.push(`  ${q(room(r))} -> ${q(node)};`);
    for (const r of inst.out.filter(keep)) edges.push(`  ${q(node)} -> ${q(room(r))};`);
  }
  const routes = config.roomgraph.routes
    .filter((r) => keep(r.from) && keep(r.to))
    .map((r) => {
      const label = r.ruleText === undefined ? "" : ` [label=${q(r.ruleText)}]`;
      return `  ${q(room(r.from))} -> ${q(room(r.to))}${label};`;
    });

  const roomLines = [...rooms.entries()].map(
    ([key, name]) => `  ${q(`room:${key}`)} [label=${q(name)}, shape=ellipse];`,
  );
  return [
    "digraph mesh {",
    "  rankdir=LR;",
    '  node [fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
    ...roomLines.sort(),
    ...bots.sort(),
    ...(sources.length > 0 ? [`  { rank=min; ${sources.sort().join("; ")}; }`] : []),
    ...[...new Set(edges)].sort(),
    ...[...new Set(routes)].sort(),
    "}",
    "",
  ].join("\n");
}

/** A dot string literal: quotes and backslashes escaped, newlines as dot's `\n`. */
function q(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

/** SVG from `dot -Tsvg`, or undefined when Graphviz is not installed. */
export function renderSvg(dot: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn("dot", ["-Tsvg"], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") resolve(undefined);
      else reject(e);
    });
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else
        reject(
          new Error(
            `dot -Tsvg failed (exit ${code}): ${Buffer.concat(err).toString("utf8").trim()}`,
          ),
        );
    });
    // When dot is missing, writing may fail with EPIPE; the "error" handler above decides.
    child.stdin.on("error", () => undefined);
    child.stdin.end(dot);
  });
}
