/**
 * Undo the usual defanging of addresses in abuse mail (`hxxp://evil[.]example`,
 * `192.0.2[.]1`, `user(at)example.com`, `evil dot example dot com`) before items are read, and
 * remember where text was changed, so an item can say it was written defanged and show what
 * was written.
 *
 * Only marks nobody writes in a real name are undone: brackets around a dot or an at sign,
 * `hxxp`/`h**p` right before `://` (so `hxxpd.example` stays), a backslash before a dot. The
 * word `dot` between spaces is undone only in a chain that is plainly a name: two or more
 * separators (`evil dot example dot com`, `evil dot example.com`) or an upper-case `DOT`
 * (`example DOT com`), ending in a known TLD. One lower-case `dot` is English too often
 * ("a dot com company" would become `a.com`); `dotnet.com` and `at.example.com` have no
 * separators to undo and stay as they are.
 */
import { TLDS } from "./items-tlds.js";

/** One change: text[from, to) of the input became out[at, end). */
interface Edit {
  at: number;
  end: number;
  from: number;
  to: number;
}

export interface Refanged {
  /** The text with defanging undone. */
  text: string;
  /** The changes, in order. */
  edits: Edit[];
}

const AFTER_SCHEME = String.raw`(?=(?:\[:\]|:)(?:\/\/|\[\/\]\[\/\])|\[:\/\/\])`;
const MARKS = new RegExp(
  [
    String.raw`(?<scheme>\b(?:h(?:xx|\*\*)p|fxp)(?<s>s?))${AFTER_SCHEME}`,
    // `hXXp go [dot] example [dot] com/x` (PhishLabs): a defanged scheme, a blank, a name.
    String.raw`(?<bare>\bh(?:xx|\*\*)p(?<bs>s?)[ \t]+)(?=[a-z0-9-]+(?:\.|[ \t]?[[({]))`,
    // A bracketed mark takes one blank on each side with it: `evil [dot] example`.
    String.raw`(?<dot>[ \t]?(?:\[ ?(?:\.|dot) ?\]|\( ?(?:\.|dot) ?\)|\{ ?(?:\.|dot) ?\})[ \t]?|\\\.)`,
    String.raw`(?<at>[ \t]?(?:\[ ?(?:@|at) ?\]|\( ?(?:@|at) ?\)|\{ ?(?:@|at) ?\})[ \t]?)`,
    String.raw`(?<sep>\[:\/\/\]|\[:\]|\[\/\])`,
    // The lookbehind makes a long run of blanks one attempt, not one per blank (quadratic).
    String.raw`(?<word>(?<![ \t])[ \t]+dot[ \t]+)`,
  ].join("|"),
  "gi",
);

/** A run of labels joined by spaced `dot` words or plain dots. */
const CHAIN = /(?<![\p{L}\p{N}.-])[\p{L}\p{N}-]+(?:(?:[ \t]+dot[ \t]+|\.)[\p{L}\p{N}-]+)+/giu;
const WORD_DOT = /[ \t]+(dot)[ \t]+/gi;

/** Offsets of the spaced `dot` words that are separators of a plain name (see the top). */
function wordDots(text: string): Set<number> {
  const out = new Set<number>();
  if (!/[ \t]dot[ \t]/i.test(text)) return out;
  for (const chain of text.matchAll(CHAIN)) {
    const words = [...chain[0].matchAll(WORD_DOT)];
    if (words.length === 0) continue;
    const labels = chain[0].split(/[ \t]+dot[ \t]+|\./i);
    const tld = labels[labels.length - 1]?.toLowerCase() ?? "";
    const upper = words.some((w) => w[1] === "DOT");
    if (!TLDS.has(tld) || (labels.length < 3 && !upper)) continue;
    for (const w of words) out.add(chain.index + (w.index ?? 0));
  }
  return out;
}

/** The text with defanging undone, and where. */
export function refang(text: string): Refanged {
  const dots = wordDots(text);
  const edits: Edit[] = [];
  let out = "";
  let last = 0;
  for (const m of text.matchAll(MARKS)) {
    const g = m.groups ?? {};
    let plain: string;
    if (g["scheme"] !== undefined) plain = (/^f/i.test(m[0]) ? "ftp" : "http") + (g["s"] ?? "");
    else if (g["bare"] !== undefined) plain = `http${g["bs"] ?? ""}://`;
    else if (g["dot"] !== undefined) plain = ".";
    else if (g["at"] !== undefined) plain = "@";
    else if (g["sep"] !== undefined) plain = m[0].slice(1, -1);
    else if (dots.has(m.index)) plain = ".";
    else continue;
    out += text.slice(last, m.index);
    edits.push({
      at: out.length,
      end: out.length + plain.length,
      from: m.index,
      to: m.index + m[0].length,
    });
    out += plain;
    last = m.index + m[0].length;
  }
  if (edits.length === 0) return { text, edits };
  return { text: out + text.slice(last), edits };
}

/** Index of the first edit that ends after `at` (edits are in order and do not overlap). */
function firstEndingAfter(r: Refanged, at: number): number {
  let lo = 0;
  let hi = r.edits.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((r.edits[mid] as Edit).end > at) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Whether out[start, end) contains changed text. */
export function touched(r: Refanged, start: number, end: number): boolean {
  const e = r.edits[firstEndingAfter(r, start)];
  return e !== undefined && e.at < end;
}

/** Offset in the input of an offset in the output; inside an edit, the edit's start (or end). */
function inputOffset(r: Refanged, at: number, side: "start" | "end"): number {
  const i = firstEndingAfter(r, at);
  const e = r.edits[i];
  if (e !== undefined && e.at < at) return side === "start" ? e.from : e.to;
  const before = r.edits[i - 1];
  // Input and output agree from the end of the edit before on.
  return before === undefined ? at : before.to + (at - before.end);
}

/** What the input said where the output has [start, end). */
export function writtenAs(r: Refanged, input: string, start: number, end: number): string {
  if (r.edits.length === 0) return input.slice(start, end);
  return input.slice(inputOffset(r, start, "start"), inputOffset(r, end, "end"));
}
