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
    return pino({
      ...base,
      transport: { target: "pino-pretty", options: { destination: 2, colorize: true } },
    });
  }
  return pino(base, pino.destination({ dest: 2, sync: false }));
}
