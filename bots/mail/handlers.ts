/**
 * The handlers the mail sources try, in this order: the first whose match() answers reads the
 * mail. Specific formats come before the general ones that would also take them.
 */
import type { MailHandler } from "./handler.js";
import { arfHandler } from "./handlers/arf.js";
import { fail2banHandler } from "./handlers/fail2ban.js";
import { xarfHandler } from "./handlers/xarf.js";

/** Bot params a handler may need (CSV mappings, template directories); none use any yet. */
export type HandlerParams = Readonly<Record<string, unknown>>;

export function mailHandlers(_params: HandlerParams = {}): MailHandler[] {
  return [
    // fail2ban's complain letters, and its xarf-login-attack X-ARF: before xarf, which would
    // read the latter without knowing it is a login attack from fail2ban.
    fail2banHandler,
    // X-ARF 0.2 (X-ARF: yes / X-XARF: PLAIN) and X-ARF 4 JSON, also when carried in ARF.
    xarfHandler,
    // ARF (RFC 5965) feedback reports, RFC 6591 auth-failure reports, sparse FBL mails.
    arfHandler,
  ];
}
