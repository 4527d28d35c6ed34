import { pino, type Logger } from "pino";

/** Keys whose values never reach a log, wherever they sit in a logged object. */
export const REDACT = [
  "password",
  "secret",
  "*.password",
  "*.secret",
  "*.*.password",
  "*.*.secret",
  "authorization",
  "*.authorization",
  "headers.authorization",
];

export interface LogOptions {
  level?: string;
  /** Pretty lines for a person at a terminal; JSON otherwise (the default for pipes and files). */
  pretty?: boolean;
  name?: string;
}

/** The mesh's root logger: pino JSON on stderr, pretty only when a person reads a terminal. */
export function createLogger(opts: LogOptions = {}): Logger {
  const pretty = opts.pretty ?? process.stderr.isTTY === true;
  const base = {
    level: opts.level ?? "info",
    redact: { paths: REDACT, censor: "[redacted]" },
    ...(opts.name === undefined ? {} : { name: opts.name }),
  };
  if (pretty) {
    // One line per record, led by who says it: `12:01:07 WARN spamhaus-drop: poll failed ...`.
    const options = {
      destination: 2,
      colorize: true,
      singleLine: true,
      translateTime: "HH:MM:ss",
      ignore: "pid,hostname,name,bot,instance,part,stream",
      messageFormat: "{if name}{name}: {end}{msg}",
    };
    return pino({ ...base, transport: { target: "pino-pretty", options } });
  }
  return pino(base, pino.destination({ dest: 2, sync: false }));
}

/**
 * Log fields for a failure: the stack only for a programming error (TypeError and kin), the
 * message alone for what operations expect (a server down, a feed offline), which a person
 * reads in one line.
 */
export function failureFields(err: unknown): Record<string, unknown> {
  if (
    err instanceof TypeError ||
    err instanceof RangeError ||
    err instanceof ReferenceError ||
    err instanceof SyntaxError
  ) {
    return { err };
  }
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | undefined)?.code;
  return { reason: message, ...(typeof code === "string" ? { code } : {}) };
}
