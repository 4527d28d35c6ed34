/**
 * Whether a mail is a template's: its sender and recipient against the template's address
 * globs, its subject and body against its regexes. Every part given must hold; the answer
 * says which address or regex matched, for mail-test.
 */
import { addressesOf, type MailInput } from "../handler.js";
import type { Template } from "../template.js";

export interface Glob {
  text: string;
  test(address: string): boolean;
}

/** The matcher of a template's `match`: the reasons it takes a mail, or undefined. */
export function matcher(t: Template): (mail: MailInput) => string | undefined {
  const from = t.match.from?.map(globOf);
  const to = t.match.to?.map(globOf);
  return (mail) => {
    const reasons: string[] = [];
    if (from) {
      const hit = firstHit(from, addressesOf(mail.parsed.from));
      if (!hit) return undefined;
      reasons.push(`From ${hit}`);
    }
    if (to) {
      const hit = firstHit(to, recipients(mail));
      if (!hit) return undefined;
      reasons.push(`recipient ${hit}`);
    }
    const { subject, body } = t.match;
    if (subject) {
      if (!subject.re.matcher(mail.parsed.subject ?? "").find()) return undefined;
      reasons.push(`Subject matches /${subject.source}/`);
    }
    if (body) {
      if (!body.re.matcher(bodyOf(mail)).find()) return undefined;
      reasons.push(`body matches /${body.source}/`);
    }
    return reasons.join(", ");
  };
}

/**
 * The body as text: the text part, else (an empty text part beside the HTML one, as CSC
 * sends) the HTML with its tags taken out.
 */
export function bodyOf(mail: MailInput): string {
  const text = mail.parsed.text ?? "";
  if (text.trim() !== "" || typeof mail.parsed.html !== "string") return text;
  return htmlText(mail.parsed.html);
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};

/** HTML to lines of text: block ends and <br> become line breaks, tags go, entities are read. */
export function htmlText(html: string): string {
  return html
    .replace(/<(script|style)\b[^]*?<\/\1\s*>/gi, "")
    .replace(/<br\s*\/?>|<\/(?:p|div|tr|li|h\d|table)\s*>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith("#")) {
        const code =
          name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : Number(name.slice(1));
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/[ \t]+\n/g, "\n");
}

function recipients(mail: MailInput): string[] {
  const headers = ["delivered-to", "x-original-to"].flatMap((h) => mail.headers.get(h) ?? []);
  return [
    ...addressesOf(mail.parsed.to),
    ...addressesOf(mail.parsed.cc),
    ...headers.map((h) =>
      h
        .replace(/^.*<|>.*$/g, "")
        .trim()
        .toLowerCase(),
    ),
  ];
}

/** `*@hetzner.com` against the whole address; `hetzner.com` against its domain and subdomains. */
export function globOf(text: string): Glob {
  const re = (g: string) =>
    new RegExp(
      `^${g
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
      "i",
    );
  if (text.includes("@")) {
    const whole = re(text);
    return { text, test: (a) => whole.test(a) };
  }
  const domain = re(text);
  const sub = re(`*.${text}`);
  return {
    text,
    test: (a) => {
      const d = a.slice(a.lastIndexOf("@") + 1);
      return domain.test(d) || sub.test(d);
    },
  };
}

/** The first address a glob matches, as `<address> matches <glob>`. */
export function firstHit(globs: Glob[], addresses: string[]): string | undefined {
  for (const a of addresses) {
    const g = globs.find((x) => x.test(a));
    if (g) return `${a} matches ${g.text}`;
  }
  return undefined;
}
