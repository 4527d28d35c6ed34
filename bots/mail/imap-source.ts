/**
 * The `imap` source: an abuse mailbox read as a stream of events. TLS (IMAPS or STARTTLS)
 * with certificate verification; plaintext only to a loopback address. Each connection is a
 * new ImapFlow (a client cannot be reconnected); a lost one comes back with backoff, which
 * starts anew after a connection that read the mailbox through.
 */
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { setTimeout as sleep } from "node:timers/promises";
import { ImapFlow, type ImapFlowOptions } from "imapflow";
import {
  defineBot,
  isLoopback,
  missingFiles,
  param,
  ParamError,
  parseAddr,
  type BotContext,
  type CheckProblem,
  type Event,
  type ParamValues,
} from "../../core/index.js";
import { imapSession, type SessionState } from "./imap-session.js";
import { intakeParams, openMailSource, type MailSource } from "./mail-source.js";

const params = {
  host: param.string({ help: "IMAP server name or address" }),
  port: param.int({
    help: "IMAP port (0: 993 for imaps, 143 for starttls and none)",
    default: 0,
    min: 0,
    max: 65535,
  }),
  tls: param.oneOf(["imaps", "starttls", "none"] as const, {
    help: "imaps (TLS from the start), starttls (upgrade required), or none (plaintext: only to a loopback address); certificates are always verified",
    default: "imaps",
  }),
  ca_file: param.optional(
    param.string({
      help: "PEM file with the CA certificate of a private server, trusted beside the system CAs",
    }),
  ),
  user: param.string({ help: "Login name of the mailbox" }),
  password_env: param.secret({
    help: "Environment variable holding the password (never in the config, never logged)",
    default: "IMAP_PASSWORD",
  }),
  mailbox: param.string({ help: "Mailbox read", default: "INBOX" }),
  processed: param.string({
    help: "Folder a mail is moved to once its events are accepted (created if missing)",
    default: "processed",
  }),
  failed: param.string({
    help: "Folder a mail no handler can read is moved to (created if missing); the reason is in the dead letters",
    default: "failed",
  }),
  poll_interval: param.duration({
    help: "Time between checks when IDLE brings no news (servers without IDLE, lost notifications)",
    default: 60_000,
  }),
  batch: param.int({
    help: "Messages read per round (each fetched on its own, up to max_bytes)",
    default: 50,
    min: 1,
    max: 10_000,
  }),
  ...intakeParams,
};

type P = ParamValues<typeof params>;
type Ctx = BotContext<typeof params>;

/** `localhost` or a loopback address: the only place plaintext may go. */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === "localhost") return true;
  const addr = parseAddr(host.replace(/^\[|\]$/g, ""));
  return addr !== null && isLoopback(addr);
}

function problems(p: P): CheckProblem[] {
  const missing = missingFiles({ ca_file: p.ca_file ?? "" });
  if (p.tls !== "none" || isLoopbackHost(p.host)) return missing;
  return [
    ...missing,
    {
      key: "tls",
      message: `imap: tls: none sends the password in the clear; it is allowed only to a loopback address, not to ${p.host} (use imaps or starttls)`,
    },
  ];
}

/** ImapFlow options for one connection (no password: see connectionOptions). */
export function clientOptions(p: P): ImapFlowOptions {
  const secure = p.tls === "imaps";
  const tls = {
    rejectUnauthorized: true,
    minVersion: "TLSv1.2" as const,
    ...(p.ca_file ? { ca: [...rootCertificates, readFileSync(p.ca_file, "utf8")] } : {}),
  };
  return {
    host: p.host,
    port: p.port || (secure ? 993 : 143),
    secure,
    doSTARTTLS: p.tls === "starttls",
    tls,
    logger: false,
    // IDLE soon after each command, and cap what one response may hold (hostile servers).
    autoIdleDelay: 1000,
    maxLiteralSize: p.max_bytes + 65_536,
    maxResponseSize: 2 * (p.max_bytes + 65_536),
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 10 * 60_000,
  };
}

export const imap = defineBot({
  name: "imap",
  kind: "source",
  description:
    "Reads an abuse mailbox over IMAP (IDLE, poll fallback) and emits each mail's reports as events, exactly once; mails go to a processed or failed folder.",
  params,
  secrets: (p) => [p.password_env],
  check: problems,
  async start(ctx) {
    const problem = problems(ctx.params)[0];
    if (problem) throw new ParamError(problem.message);
    const password = ctx.secret(ctx.params.password_env);
    if (!password) {
      throw new ParamError(
        `imap: the password is read from the environment variable ${ctx.params.password_env}, which is not set`,
      );
    }
    const options: ImapFlowOptions = {
      ...clientOptions(ctx.params),
      auth: { user: ctx.params.user, pass: password },
    };
    const src = await openMailSource(ctx);
    return { stream: () => imapEvents(ctx, src, options, password) };
  },
});

async function* imapEvents(
  ctx: Ctx,
  src: MailSource,
  options: ImapFlowOptions,
  password: string,
): AsyncGenerator<Event, void> {
  const who = `imap ${ctx.params.user}@${ctx.params.host}`;
  let failures = 0;
  while (!ctx.signal.aborted) {
    const state: SessionState = { healthy: false };
    try {
      yield* imapSession(ctx, ctx.params, src, new ImapFlow(options), state);
    } catch (err) {
      if (ctx.signal.aborted) return;
      failures = state.healthy ? 1 : failures + 1;
      const wait = Math.min(1000 * 2 ** (failures - 1), 60_000);
      ctx.count("errors");
      ctx.count("reconnects");
      const why = describe(err, ctx.params, password);
      ctx.warn(`${who}: ${why}; connecting again in ${Math.round(wait / 1000)} s`, { failures });
      await sleep(wait, undefined, { signal: ctx.signal }).catch(() => undefined);
    }
  }
}

const CERT_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/** What went wrong, in words, with the password scrubbed should a server echo it. */
function describe(err: unknown, p: P, password: string): string {
  const e = err as {
    message?: string;
    code?: string;
    authenticationFailed?: boolean;
    responseText?: string;
  };
  let text = e.message ?? String(err);
  if (e.authenticationFailed) text = `login as ${p.user} refused (check ${p.password_env})`;
  else if (CERT_ERRORS.test(e.code ?? "")) {
    text = `the server's certificate is not trusted: ${text} (a private CA goes in ca_file)`;
  } else if (e.responseText && !text.includes(e.responseText)) text += `: ${e.responseText}`;
  return password ? text.split(password).join("***") : text;
}
