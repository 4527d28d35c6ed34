/**
 * IPs, URLs and domain names pulled out of the free text of an abuse mail, defanging undone
 * (items-refang.ts), each written one way: IPv4 dotted decimal, IPv6 RFC 5952, a URL with
 * its scheme and host in lower case (the rest as written), a name in lower case A-labels
 * without a trailing dot.
 *
 * What is not an item, so that a report's prose gives no false events:
 * - numbers with more than four parts (`1.2.3.4.5`, OIDs), a part over 255 or of more than
 *   three digits (`10.0.19041.1`), a version (`v1.2.3.4`, `version 1.2.3.4`, `Chrome/1.2.3.4`)
 *   and a CIDR (`192.0.2.0/24`: a network, not the address it starts with);
 * - a name whose last label is not a known TLD (items-tlds.ts), dates and times;
 * - the domain of a mail address (`abuse@example.net`, a Message-ID): in a complaint that is
 *   who writes or was written to, not what is reported;
 * - the hosts of URLs again as names or addresses: the URL is the item.
 *
 * IPv4 parts with leading zeros (`192.000.002.001`, defanged reports pad them) are read as
 * decimal, so `010.0.0.1` is 10.0.0.1, not 8.0.0.1 as inet_aton's octal would have it: people
 * who pad mean decimal, and a report read as octal would accuse an unrelated network.
 */
import { domainToASCII } from "node:url";
import { formatAddr, parseAddr } from "../../core/index.js";
import { networkFlag, type Networks } from "./items-networks.js";
import { refang, touched, writtenAs } from "./items-refang.js";
import { FILE_LIKE, TLDS } from "./items-tlds.js";

export { networkFlag, readNetworks, type Networks, type NetworksConfig } from "./items-networks.js";

export type ItemKind = "ip" | "url" | "domain";
/** Which configured list an address is in. */
export type NetworkFlag = "own network" | "ignored";

export interface Item {
  kind: ItemKind;
  /** The item written the mesh's way. */
  value: string;
  /** As the mail wrote it. */
  written: string;
  /** Whether defanging was undone to read it. */
  defanged: boolean;
  /** Set when the address (a URL's host address too) is in an own or ignored network. */
  network?: NetworkFlag;
}

/** The event key of each kind. */
export const ITEM_KEYS: Record<ItemKind, string> = { ip: "ip", url: "url", domain: "domain name" };

export interface ExtractOptions {
  /** The kinds wanted (default all three). */
  kinds?: readonly ItemKind[];
  networks?: Networks;
}

export interface Extracted {
  /** Items in order of appearance, each value once; flagged ones included when marking. */
  items: Item[];
  /** Items left out because they are in an own or ignored network (`drop`). */
  dropped: Item[];
}

const URL_RE = /\b(?:https?|s?ftps?):\/\/[^\s<>"'`{}|\\^]+/gi;
// Anchored on the @ and its right side: a left side written as `[...]+@` backtracks over
// every long run without an @ (quadratic on a hostile mail).
const MAIL_AT = /@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
const LOCAL_PART = /[\p{L}\p{N}_.+%=-]/u;
const HEX_RUN = /[0-9a-f:.]+/gi;
const NUM_RUN = /[0-9.]+/g;
const NAME_RUN = /[\p{L}\p{N}\p{M}.-]+/gu;
const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const LABEL = /^(?!-)[\p{L}\p{N}\p{M}-]{1,63}(?<!-)$/u;
const VERSION_BEFORE = /(?:\bversion|\bver\.?|\bv|[\w)]\/)\s*$/i;
const WORD = /[\p{L}\p{N}_]/u;

/** Pull the items out of a text. */
export function extractItems(text: string, opts: ExtractOptions = {}): Extracted {
  const kinds = new Set(opts.kinds ?? ["ip", "url", "domain"]);
  const r = refang(text);
  let work = r.text;
  const found: { at: number; item: Item }[] = [];
  const seen = new Set<string>();
  const add = (kind: ItemKind, value: string, start: number, end: number) => {
    // Each value once: the first place it is written is the one shown.
    if (!kinds.has(kind) || seen.has(`${kind} ${value}`)) return;
    seen.add(`${kind} ${value}`);
    const item: Item = {
      kind,
      value,
      written: writtenAs(r, text, start, end),
      defanged: touched(r, start, end),
    };
    found.push({ at: start, item });
  };
  const spans: [number, number][] = [];
  const pass = (re: RegExp, read: (m: string, start: number) => [number, number] | undefined) => {
    for (const m of work.matchAll(re)) {
      const span = read(m[0], m.index);
      if (span) spans.push(span);
    }
    work = blank(work, spans.splice(0));
  };
  pass(URL_RE, (m, start) => {
    const t = trimUrl(m);
    const value = urlOf(t);
    if (value) add("url", value, start, start + t.length);
    return [start, start + t.length];
  });
  pass(MAIL_AT, (m, at) => {
    let start = at;
    while (start > 0 && LOCAL_PART.test(work.charAt(start - 1))) start--;
    return start < at ? [start, at + m.length] : undefined;
  });
  pass(HEX_RUN, (m, start) => {
    if (WORD.test(work.charAt(start - 1)) || /[\p{L}\p{N}_%]/u.test(work.charAt(start + m.length)))
      return undefined;
    if (m.indexOf(":") === m.lastIndexOf(":")) return undefined; // two colons at least
    const t = m.replace(/\.+$/, "").replace(/([^:]):$/, "$1");
    if (!/[0-9a-f]/i.test(t)) return undefined;
    const a = parseAddr(t);
    if (!a || /\/\d/.test(work.slice(start + t.length, start + t.length + 2))) return undefined;
    add("ip", formatAddr(a), start, start + t.length);
    return [start, start + t.length];
  });
  pass(NUM_RUN, (m, start) => {
    if (WORD.test(work.charAt(start - 1)) || WORD.test(work.charAt(start + m.length)))
      return undefined;
    const t = m.replace(/^\.+/, "").replace(/\.+$/, "");
    const begin = start + m.indexOf(t);
    const value = cleanV4(t);
    if (!value) return undefined;
    const after = work.slice(begin + t.length, begin + t.length + 2);
    if (/^\/\d/.test(after) || VERSION_BEFORE.test(work.slice(Math.max(0, begin - 12), begin)))
      return [begin, begin + t.length];
    add("ip", value, begin, begin + t.length);
    return [begin, begin + t.length];
  });
  pass(NAME_RUN, (m, start) => {
    if (/[_@]/.test(work.charAt(start - 1)) || /[_@]/.test(work.charAt(start + m.length)))
      return undefined;
    const t = m.replace(/^[.-]+/, "").replace(/[.-]+$/, "");
    const begin = start + m.indexOf(t);
    const value = t.includes(".") ? domainOf(t, true) : undefined;
    if (!value) return undefined;
    const labels = value.split(".");
    const fileLike = labels.length === 2 && FILE_LIKE.has(labels[1] ?? "");
    if (fileLike && !touched(r, begin, begin + t.length)) return undefined;
    add("domain", value, begin, begin + t.length);
    return undefined;
  });
  return filtered(found, opts.networks);
}

function filtered(found: { at: number; item: Item }[], nets: Networks | undefined): Extracted {
  found.sort((a, b) => a.at - b.at);
  const out: Extracted = { items: [], dropped: [] };
  for (const { item } of found) {
    const flag = nets ? networkFlag(item, nets) : undefined;
    if (flag) item.network = flag;
    (flag && nets?.action !== "mark" ? out.dropped : out.items).push(item);
  }
  return out;
}

/** The text with the spans blanked out (same length, so offsets still hold). */
function blank(text: string, spans: [number, number][]): string {
  if (spans.length === 0) return text;
  let out = "";
  let last = 0;
  for (const [a, b] of spans) {
    out += text.slice(last, a) + " ".repeat(b - a);
    last = b;
  }
  return out + text.slice(last);
}

/** A URL without the punctuation that ends its sentence or encloses it. */
function trimUrl(url: string): string {
  const count = (ch: string) => url.split(ch).length - 1;
  const open = { ")": count("("), "]": count("[") };
  let close = { ")": count(")"), "]": count("]") };
  let end = url.length;
  for (;;) {
    const c = url.charAt(end - 1);
    if (/[.,;:!?'"*]/.test(c)) end--;
    else if ((c === ")" || c === "]") && open[c] < close[c]) {
      close = { ...close, [c]: close[c] - 1 };
      end--;
    } else return url.slice(0, end);
  }
}

/** A dotted quad as 4 decimal parts, leading zeros read as decimal; else undefined. */
export function cleanV4(text: string): string | undefined {
  const m = V4.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts.join(".") : undefined;
}

/** An address as the mesh writes it (leading zeros read as decimal); else undefined. */
export function cleanIp(text: string): string | undefined {
  const t = refang(text.trim()).text.replace(/^\[(.*)\]$/, "$1");
  const v4 = cleanV4(t);
  if (v4) return v4;
  const a = t.includes(":") ? parseAddr(t) : null;
  return a ? formatAddr(a) : undefined;
}

/**
 * A DNS name in lower case A-labels; undefined when a label is bad or, with `knownTld`, the
 * last label is not in the TLD list (a template's own regex takes any alphabetic TLD).
 */
export function cleanDomain(text: string, knownTld = false): string | undefined {
  return domainOf(refang(text.trim()).text, knownTld);
}

function domainOf(text: string, knownTld: boolean): string | undefined {
  const t = text.replace(/\.$/, "").toLowerCase();
  const labels = t.split(".");
  if (labels.length < 2 || t.length > 253 || !labels.every((l) => LABEL.test(l))) return undefined;
  const tld = labels[labels.length - 1] ?? "";
  if (knownTld ? !TLDS.has(tld) : !/^(?:\p{L}{2,63}|xn--[a-z0-9-]+)$/u.test(tld)) return undefined;
  const ascii = domainToASCII(t);
  return ascii === "" ? undefined : ascii;
}

/** A URL with a scheme, its host checked and written the mesh's way; else undefined. */
export function cleanUrl(text: string): string | undefined {
  return urlOf(refang(text.trim()).text);
}

function urlOf(t: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is.exec(t);
  if (!m) return undefined;
  const [, scheme = "", authority = "", rest = ""] = m;
  const at = authority.lastIndexOf("@");
  const user = at >= 0 ? authority.slice(0, at + 1) : "";
  const hostPort = authority.slice(at + 1);
  const hp = /^(\[[^\]]+\]|[^:]+)(?::(\d{0,5}))?$/.exec(hostPort);
  if (!hp) return undefined;
  const [, host = "", port] = hp;
  if (port !== undefined && port !== "" && Number(port) > 65535) return undefined;
  let h: string | undefined;
  if (host.startsWith("[")) {
    const a = parseAddr(host.slice(1, -1));
    h = a && a.v === 6 ? `[${formatAddr(a)}]` : a ? formatAddr(a) : undefined;
  } else if (/^[\d.]+$/.test(host)) h = cleanV4(host);
  else h = domainOf(host, false);
  if (h === undefined) return undefined;
  return `${scheme.toLowerCase()}://${user}${h}${port === undefined ? "" : `:${port}`}${rest}`;
}

/** Items as event keys: `ip`, `url`, `domain name` to their values. */
export function itemKeys(items: readonly Item[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const item of items) (out[ITEM_KEYS[item.kind]] ??= []).push(item.value);
  return out;
}
