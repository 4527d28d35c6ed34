/**
 * Collects the problems of one config file. Checks name a YAML path; this turns it into the
 * `where` and `key` a user reads (`bots[2] (id drop)`, `params.url`) and, where the parsed
 * document is at hand, a line number.
 */
import { isNode, type Document, type LineCounter } from "yaml";
import type { ConfigProblem } from "./types.js";
import type { YamlPath } from "./env.js";

export interface Located {
  where: string;
  key?: string;
  /** When known better than the path tells (YAML syntax errors). */
  line?: number;
}

export class ProblemList {
  readonly items: ConfigProblem[] = [];

  constructor(
    readonly file: string,
    /** The raw parsed value, to name bots by id. */
    private readonly root: unknown = undefined,
    private readonly doc?: Document,
    private readonly lines?: LineCounter,
  ) {}

  error(path: YamlPath, message: string, at?: Located): void {
    this.add("error", path, message, at);
  }

  warn(path: YamlPath, message: string, at?: Located): void {
    this.add("warning", path, message, at);
  }

  add(level: ConfigProblem["level"], path: YamlPath, message: string, at?: Located): void {
    const { where, key } = at ?? describePath(path, this.root);
    const line = at?.line ?? this.lineOf(path);
    this.items.push({
      level,
      file: this.file,
      where,
      ...(key === undefined ? {} : { key }),
      ...(line === undefined ? {} : { line }),
      message,
    });
  }

  /** Line of the deepest node on `path` that exists (a missing key points at its parent). */
  private lineOf(path: YamlPath): number | undefined {
    if (!this.doc || !this.lines) return undefined;
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return this.lines.linePos(node.range[0]).line;
    }
    return undefined;
  }
}

/** `["bots", 2, "params", "url"]` → where `bots[2] (id drop)`, key `params.url`. */
export function describePath(path: YamlPath, root: unknown): Located {
  const [head, second, ...rest] = path;
  if (head === undefined) return { where: "top level" };
  if (second === undefined) return { where: String(head) };
  if (typeof second === "number") {
    const where = `${head}[${second}]${idSuffix(root, String(head), second)}`;
    return rest.length === 0 ? { where } : { where, key: joinPath(rest) };
  }
  // Mappings of named things (rooms.yaml `rooms: { alerts: ... }`) read best as `rooms.alerts`.
  if (head === "rooms" && rest.length > 0) return { where: `rooms.${second}`, key: joinPath(rest) };
  return { where: String(head), key: joinPath([second, ...rest]) };
}

function idSuffix(root: unknown, list: string, index: number): string {
  if (!isRecord(root)) return "";
  const items = root[list];
  const item: unknown = Array.isArray(items) ? items[index] : undefined;
  const id = isRecord(item) ? item["id"] : undefined;
  return typeof id === "string" && id !== "" ? ` (id ${id})` : "";
}

export function joinPath(path: YamlPath): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join("");
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
