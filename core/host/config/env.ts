/**
 * `${VAR}` and `${VAR:-default}` in config strings, as in docker compose: secrets stay out of
 * the files and in the environment. The caller passes the environment so tests and tools can
 * check a config against another one than the process's own.
 */

export type Env = Readonly<Record<string, string | undefined>>;
export type YamlPath = readonly (string | number)[];

/** A value taken from the environment, remembered so messages can hide it. */
export interface Substitution {
  name: string;
  value: string;
}

export interface EnvResult {
  value: unknown;
  problems: { path: YamlPath; message: string }[];
  substitutions: Substitution[];
}

// `$${` is an escaped literal `${`; an unterminated `${` is caught by the missing `}`.
const REFERENCE = /\$(\$)?\{([^}]*)(\})?/g;
const INNER = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([^]*))?$/;

/** Substitute in every string of a parsed YAML value (keys are left alone). */
export function substituteEnv(value: unknown, env: Env): EnvResult {
  const result: EnvResult = { value: undefined, problems: [], substitutions: [] };
  result.value = walk(value, [], env, result);
  return result;
}

function walk(value: unknown, path: YamlPath, env: Env, out: EnvResult): unknown {
  if (typeof value === "string") return substituteString(value, path, env, out);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i], env, out));
  if (value !== null && typeof value === "object") {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = walk(v, [...path, k], env, out);
    return copy;
  }
  return value;
}

function substituteString(text: string, path: YamlPath, env: Env, out: EnvResult): string {
  return text.replace(
    REFERENCE,
    (whole: string, escaped?: string, inner?: string, close?: string) => {
      if (escaped !== undefined) return whole.slice(1);
      const m = close === undefined ? null : INNER.exec(inner ?? "");
      const name = m?.[1];
      if (!m || name === undefined) {
        out.problems.push({
          path,
          message:
            `malformed reference ${JSON.stringify(whole)}: write \${NAME} or \${NAME:-default} ` +
            `(and $\${ for a literal \${)`,
        });
        return whole;
      }
      const given = env[name];
      const fallback = m[2];
      // Shell semantics of `:-`: an empty variable also takes the default.
      if (given !== undefined && (given !== "" || fallback === undefined)) {
        if (given !== "") out.substitutions.push({ name, value: given });
        return given;
      }
      if (fallback !== undefined) return fallback;
      out.problems.push({
        path,
        message:
          `environment variable ${name} is not set: set it ` +
          `(e.g. in the env file) or write \${${name}:-default}`,
      });
      return "";
    },
  );
}

/**
 * Replace every substituted value in `text` by its `${NAME}`, so no message or log line shows a
 * secret. Short values are replaced only as whole tokens, or "1" would mangle every message.
 */
export function redactSecrets(text: string, substitutions: readonly Substitution[]): string {
  const byForm = new Map<string, string>();
  for (const { name, value } of substitutions) {
    for (const form of [value, JSON.stringify(value).slice(1, -1)]) byForm.set(form, name);
  }
  if (byForm.size === 0) return text;
  const forms = [...byForm.keys()].sort((a, b) => b.length - a.length);
  const alternatives = forms.map((form) => {
    const escaped = form.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
    return form.length >= 4 ? escaped : `(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`;
  });
  // One pass, longest first: a replacement is never matched again by a shorter secret.
  const pattern = new RegExp(alternatives.join("|"), "g");
  return text.replace(pattern, (found) => `\${${byForm.get(found) ?? "SECRET"}}`);
}
