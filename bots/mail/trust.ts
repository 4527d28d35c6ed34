/**
 * Whether a mail proves who sent it. Only proof counts: a DKIM signature (RFC 6376) or an ARC
 * chain (RFC 8617) that verifies for the domain of the From address, or an
 * Authentication-Results field (RFC 8601) written by our own MX, named by its authserv-id,
 * saying dkim=pass for that domain. A From line alone proves nothing.
 *
 * Verification asks DNS for keys; it is bounded by a timeout and never throws: a failure is
 * an untrusted mail with the reason.
 */
import { resolve as dnsResolve } from "node:dns/promises";
import { arc, dkimVerify, type DNSResolver } from "mailauth";

export interface Trust {
  trusted: boolean;
  /** `dkim=pass header.d=example.com`, `no signature`, `dkim=fail header.d=... (why)`. */
  reason: string;
}

export interface TrustOptions {
  /** authserv-ids of the local MX whose Authentication-Results are believed (RFC 8601 §2.5). */
  authservIds?: readonly string[];
  /** DNS lookups (tests pass a fake one); default node:dns. */
  resolver?: DNSResolver;
  /** Time for the whole check, DNS included. */
  timeoutMs?: number;
}

/** The domain of an address, lower case; undefined when there is none. */
export function domainOf(address: string | undefined): string | undefined {
  const at = address?.lastIndexOf("@") ?? -1;
  if (address === undefined || at < 0) return undefined;
  const domain = address
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, "");
  return domain.includes(".") ? domain : undefined;
}

/**
 * A signature by `signer` speaks for `from` when they are the same domain or `from` is below
 * it (relaxed alignment, DMARC RFC 7489 §3.1.1, without the public-suffix list: a key for a
 * whole TLD is not something a signer can publish).
 */
export function aligned(signer: string, from: string): boolean {
  const s = signer.toLowerCase().replace(/\.$/, "");
  if (!s.includes(".")) return false;
  return from === s || from.endsWith(`.${s}`);
}

/** Check a mail; `from` is its From address. Never throws. */
export async function checkTrust(
  raw: Buffer,
  from: string | undefined,
  headers: ReadonlyMap<string, readonly string[]>,
  opts: TrustOptions = {},
): Promise<Trust> {
  const domain = domainOf(from);
  if (domain === undefined) return { trusted: false, reason: "no From address with a domain" };
  const local = fromLocalMx(headers.get("authentication-results") ?? [], domain, opts);
  if (local !== undefined) return local;
  const ms = opts.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Trust>((resolve) => {
    timer = setTimeout(
      () => resolve({ trusted: false, reason: `signature check timed out after ${ms} ms` }),
      ms,
    );
  });
  try {
    return await Promise.race([verifySignatures(raw, domain, opts, ms), timeout]);
  } catch (err) {
    return { trusted: false, reason: `signature check failed: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}

async function verifySignatures(
  raw: Buffer,
  domain: string,
  opts: TrustOptions,
  ms: number,
): Promise<Trust> {
  const resolver = timedResolver(opts.resolver ?? defaultResolver, ms);
  const dkim = await dkimVerify(raw, { resolver });
  const signed = dkim.results.filter((r) => r.signingDomain !== undefined);
  const pass = signed.find((r) => r.status.result === "pass" && aligned(r.signingDomain, domain));
  if (pass) return { trusted: true, reason: `dkim=pass header.d=${pass.signingDomain}` };
  if (dkim.arc?.chain) {
    const chain = await arc(dkim.arc as never, { resolver });
    const d = chain.signature ? chain.signature.signingDomain : undefined;
    if (chain.status.result === "pass" && d !== undefined && aligned(d, domain)) {
      return { trusted: true, reason: `arc=pass i=${String(chain.i)} header.d=${d}` };
    }
    if (signed.length === 0) {
      const why = chain.status.result === "pass" ? `sealed by ${d ?? "?"}` : chain.status.comment;
      return { trusted: false, reason: `arc=${chain.status.result} (${why ?? "no reason"})` };
    }
  }
  if (signed.length === 0) return { trusted: false, reason: "no signature" };
  // The best failure to tell: a passing signature of another domain, else the first one.
  const other = signed.find((r) => r.status.result === "pass") ?? signed[0];
  if (other === undefined) return { trusted: false, reason: "no signature" };
  const why =
    other.status.result === "pass" ? `not the sender's domain ${domain}` : other.status.comment;
  return {
    trusted: false,
    reason: `dkim=${other.status.result} header.d=${other.signingDomain}${why ? ` (${why})` : ""}`,
  };
}

/** Our MX's verdict, when it left one for the sender's domain (pass or not). */
function fromLocalMx(
  fields: readonly string[],
  domain: string,
  opts: TrustOptions,
): Trust | undefined {
  const ids = new Set((opts.authservIds ?? []).map((id) => id.toLowerCase()));
  if (ids.size === 0) return undefined;
  for (const field of fields) {
    const ar = parseAuthResults(field);
    if (ar === undefined || !ids.has(ar.authservId)) continue;
    for (const r of ar.results) {
      if (r.method !== "dkim" || r.result !== "pass") continue;
      const d = r.props["header.d"] ?? domainOf(r.props["header.i"]);
      if (d !== undefined && aligned(d, domain)) {
        return { trusted: true, reason: `${ar.authservId}: dkim=pass header.d=${d}` };
      }
    }
  }
  return undefined;
}

export interface AuthResult {
  method: string;
  result: string;
  /** `header.d`, `header.i`, `smtp.mailfrom` ... → value. */
  props: Record<string, string>;
}

/** An Authentication-Results field body (RFC 8601 §2.2); comments dropped. */
export function parseAuthResults(
  value: string,
): { authservId: string; results: AuthResult[] } | undefined {
  const text = dropComments(value);
  const [head, ...rest] = text.split(";");
  const authservId = head?.trim().split(/\s+/)[0]?.toLowerCase();
  if (!authservId) return undefined;
  const results: AuthResult[] = [];
  for (const part of rest) {
    const tokens = part.trim().split(/\s+/).filter(Boolean);
    const first = /^([a-z0-9_-]+)(?:\/\d+)?=([a-z]+)$/i.exec(tokens[0] ?? "");
    if (!first?.[1] || !first[2]) continue;
    const props: Record<string, string> = {};
    for (const t of tokens.slice(1)) {
      const m = /^([a-z0-9_-]+\.[a-z0-9_.-]+)=(.+)$/i.exec(t);
      if (m?.[1] && m[2]) props[m[1].toLowerCase()] = m[2].replace(/^"|"$/g, "").toLowerCase();
    }
    results.push({ method: first[1].toLowerCase(), result: first[2].toLowerCase(), props });
  }
  return { authservId, results };
}

/** Remove RFC 5322 comments `( ... )`, nested and escaped ones included, outside quotes. */
function dropComments(text: string): string {
  let out = "";
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? "";
    if (c === "\\") {
      if (depth === 0) out += c + (text[i + 1] ?? "");
      i += 1;
    } else if (c === '"' && depth === 0) {
      quoted = !quoted;
      out += c;
    } else if (c === "(" && !quoted) depth += 1;
    else if (c === ")" && !quoted && depth > 0) depth -= 1;
    else if (depth === 0) out += c;
  }
  return out;
}

const defaultResolver: DNSResolver = (name, rrtype) =>
  dnsResolve(name, rrtype) as Promise<string[][] | string[]>;

/** Each lookup gives up after `ms`: a slow DNS server costs one mail's trust, not the intake. */
function timedResolver(resolver: DNSResolver, ms: number): DNSResolver {
  return (name, rrtype) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = Object.assign(new Error(`DNS ${rrtype} ${name} timed out`), {
          code: "ETIMEOUT",
        });
        reject(err);
      }, ms);
      resolver(name, rrtype).then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
}
