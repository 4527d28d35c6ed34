/**
 * Typed bot parameters, each with help text (AbuseHelper: every parameter explains itself).
 * A spec parses the raw YAML value and throws a ParamError naming what was wrong; the config
 * loader adds the file, instance and key.
 */
import { nearest } from "./suggest.js";
import { parseRule, type Rule } from "./rules/index.js";

export class ParamError extends Error {
  override name = "ParamError";
}

export interface ParamSpec<T> {
  readonly type: string;
  readonly help: string;
  readonly required: boolean;
  readonly default?: T;
  /** Turn a raw config value into the typed value; throws ParamError. */
  parse(raw: unknown): T;
}

interface Common<T> {
  help: string;
  default?: T;
}

function make<T>(type: string, opts: Common<T>, parse: (raw: unknown) => T): ParamSpec<T> {
  if (!opts.help) throw new ParamError(`a ${type} param needs help text`);
  const spec: ParamSpec<T> = {
    type,
    help: opts.help,
    required: opts.default === undefined,
    parse,
  };
  return opts.default === undefined ? spec : { ...spec, default: opts.default };
}

function str(raw: unknown): string {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  throw new ParamError(`expected a string, got ${describe(raw)}`);
}

function describe(raw: unknown): string {
  if (raw === null) return "null";
  if (Array.isArray(raw)) return "a list";
  if (typeof raw === "object") return "a mapping";
  return `${typeof raw} ${JSON.stringify(raw)}`;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parse `500ms`, `30s`, `5m`, `1h`, `7d` (a bare number means seconds) into milliseconds. */
export function parseDuration(raw: unknown): number {
  const text = str(raw).trim();
  const m = DURATION.exec(text);
  if (!m)
    throw new ParamError(`expected a duration like 30s, 5m, 1h or 7d, got ${JSON.stringify(text)}`);
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? "s"] ?? 1000));
}

export const param = {
  string(opts: Common<string>): ParamSpec<string> {
    return make("string", opts, str);
  },

  int(opts: Common<number> & { min?: number; max?: number }): ParamSpec<number> {
    return make("int", opts, (raw) => {
      const n = typeof raw === "number" ? raw : Number(str(raw));
      if (!Number.isInteger(n)) throw new ParamError(`expected an integer, got ${describe(raw)}`);
      if (opts.min !== undefined && n < opts.min)
        throw new ParamError(`must be at least ${opts.min}`);
      if (opts.max !== undefined && n > opts.max)
        throw new ParamError(`must be at most ${opts.max}`);
      return n;
    });
  },

  bool(opts: Common<boolean>): ParamSpec<boolean> {
    return make("bool", opts, (raw) => {
      if (typeof raw === "boolean") return raw;
      throw new ParamError(`expected true or false, got ${describe(raw)}`);
    });
  },

  /** A duration in milliseconds, written `30s`, `5m`, `1h`, `7d`. */
  duration(opts: Common<number>): ParamSpec<number> {
    return make("duration", opts, parseDuration);
  },

  url(opts: Common<string>): ParamSpec<string> {
    return make("url", opts, (raw) => {
      const text = str(raw);
      try {
        return new URL(text).toString();
      } catch {
        throw new ParamError(`expected a URL, got ${JSON.stringify(text)}`);
      }
    });
  },

  oneOf<const V extends string>(values: readonly V[], opts: Common<V>): ParamSpec<V> {
    return make(`one of ${values.join("|")}`, opts, (raw) => {
      const text = str(raw);
      if ((values as readonly string[]).includes(text)) return text as V;
      throw new ParamError(`expected one of ${values.join(", ")}, got ${JSON.stringify(text)}`);
    });
  },

  /** A list of strings; a single string is taken as a list of one. */
  list(opts: Common<string[]>): ParamSpec<string[]> {
    return make("list", opts, (raw) => (Array.isArray(raw) ? raw.map(str) : [str(raw)]));
  },

  /** Optional: absent (or null) gives undefined instead of a default. */
  optional<T>(spec: ParamSpec<T>): ParamSpec<T | undefined> {
    const { default: _unused, ...rest } = spec;
    return { ...rest, type: `optional ${spec.type}`, required: false, default: undefined };
  },

  /** An AbuseHelper rule (`asn = 64496 and type = scanner`), parsed at check time. */
  rule(opts: Common<string>): ParamSpec<Rule> {
    const parse = (raw: unknown): Rule => {
      try {
        return parseRule(str(raw));
      } catch (err) {
        throw new ParamError(err instanceof Error ? err.message : String(err));
      }
    };
    // The default is written as rule text; keep its parsed form.
    const common: Common<Rule> = { help: opts.help };
    if (opts.default !== undefined) common.default = parse(opts.default);
    return make("rule", common, parse);
  },

  /**
   * The name of an environment variable holding a secret (an API key): the bot may read it
   * with ctx.secret(value) without declaring it again; the value never appears in config.
   */
  secret(opts: Common<string>): ParamSpec<string> {
    return make("secret", opts, (raw) => {
      const name = str(raw);
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return name;
      throw new ParamError(
        `expected the name of an environment variable (e.g. FEED_API_KEY), got ${JSON.stringify(name)}; the secret itself goes in the environment`,
      );
    });
  },

  /** Any YAML value, checked by the bot itself (mappings, tables). */
  any<T>(opts: Common<T> & { check?: (raw: unknown) => T }): ParamSpec<T> {
    return make("any", opts, (raw) => (opts.check ? opts.check(raw) : (raw as T)));
  },
};

export type ParamSpecs = Record<string, ParamSpec<unknown>>;
export type ParamValues<P extends ParamSpecs> = {
  [K in keyof P]: P[K] extends ParamSpec<infer T> ? T : never;
};

/** Validate raw values against specs. Returns values and every problem found (key, message). */
export function parseParams<P extends ParamSpecs>(
  specs: P,
  raw: Record<string, unknown>,
): { values: ParamValues<P>; problems: { key: string; message: string }[] } {
  const values: Record<string, unknown> = {};
  const problems: { key: string; message: string }[] = [];
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(specs, key)) {
      const known = Object.keys(specs).join(", ") || "none";
      const near = nearest(key, Object.keys(specs));
      const hint = near === undefined ? "" : `did you mean ${near}? `;
      problems.push({ key, message: `unknown param (${hint}known: ${known})` });
    }
  }
  for (const [key, spec] of Object.entries(specs)) {
    const given = raw[key];
    if (given === undefined || given === null) {
      if (spec.required) problems.push({ key, message: `required: ${spec.help}` });
      else values[key] = spec.default;
      continue;
    }
    try {
      values[key] = spec.parse(given);
    } catch (err) {
      problems.push({ key, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { values: values as ParamValues<P>, problems };
}
