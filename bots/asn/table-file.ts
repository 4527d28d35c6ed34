/**
 * Offline routing tables, read whole into a RangeIndex:
 * - RouteViews pfx2as (CAIDA): `prefix\tlength\tasn`, where asn is `64496`, `64496_64497`
 *   (multi-origin: several ASes announce the prefix) or `64496,64497` (an AS set);
 * - iptoasn.com ip2asn: `range_start\trange_end\tAS_number\tcountry_code\tAS_description`,
 *   ranges not always CIDR-aligned; AS 0 means "not routed" and is skipped.
 * The format is told by the column count of the first data line; gzip is recognised by its
 * magic bytes. AS names: `64496 EXAMPLE-AS Example Org, FI` per line (RIPE/Cymru asn.txt).
 */
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import {
  readRange,
  RangeSet,
  V6_ID,
  type RangeIndex,
  type RangeOptions,
} from "../../core/index.js";

/** What a range says beyond its extent; shared by all ranges with the same facts. */
export interface RouteInfo {
  asns: string[];
  cc?: string;
  name?: string;
}

export interface RouteTable {
  index: RangeIndex;
  /** Facts of each range id (v4 ids and v6 ids map separately, see `infoOf`). */
  infoOf(id: number): RouteInfo | undefined;
  format: "pfx2as" | "ip2asn";
  /** Lines that could not be read: `file:line: why` (the first 20) and their count. */
  bad: { count: number; first: string[] };
}

const unzip = promisify(gunzip);

/** The file's text, gunzipped when it starts with the gzip magic (RFC 1952 §2.3.1). */
export async function readText(file: string): Promise<string> {
  const raw = await readFile(file);
  const body = raw[0] === 0x1f && raw[1] === 0x8b ? await unzip(raw) : raw;
  return body.toString("utf8");
}

const ASNS = /^\d+([_,]\d+)*$/;
// pfx2as prefixes are routes as announced: a block is its network even with host bits set.
const PFX2AS: RangeOptions = { forms: ["cidr"], hostBits: "mask" };
const IP2ASN: RangeOptions = { forms: ["range"] };

/** Load routing tables (each file pfx2as or ip2asn, IPv4 and/or IPv6) into one index. */
export async function loadRouteTable(files: readonly string[]): Promise<RouteTable> {
  const b = new TableBuilder();
  for (const file of files) b.read(file, await readText(file));
  if (b.set.size === 0) {
    const why = b.bad.first[0] ? `; first problem: ${b.bad.first[0]}` : "";
    throw new Error(`no usable route in ${files.join(", ")}${why}`);
  }
  const { infos } = b;
  const v4Info = Int32Array.from(b.v4Info);
  const v6Info = Int32Array.from(b.v6Info);
  return {
    index: b.set.build(),
    infoOf: (id) => infos[(id < V6_ID ? v4Info[id] : v6Info[id - V6_ID]) ?? -1],
    format: b.formats.size === 1 && b.formats.has("ip2asn") ? "ip2asn" : "pfx2as",
    bad: b.bad,
  };
}

// One pass over ~1M lines: no closures or regexps per line where a lookup does (load time is
// the bot's start time, and a reload's pause).
class TableBuilder {
  readonly set = new RangeSet();
  readonly infos: RouteInfo[] = [];
  readonly v4Info: number[] = [];
  readonly v6Info: number[] = [];
  readonly bad = { count: 0, first: [] as string[] };
  readonly formats = new Set<"pfx2as" | "ip2asn">();
  readonly #interned = new Map<string, number>();

  read(file: string, text: string): void {
    let format: "pfx2as" | "ip2asn" | undefined;
    let lineNo = 0;
    for (let at = 0; at < text.length;) {
      let end = text.indexOf("\n", at);
      if (end < 0) end = text.length;
      const line = text.slice(at, end).trimEnd();
      at = end + 1;
      lineNo++;
      if (line === "" || line.startsWith("#")) continue;
      const cols = line.split("\t");
      format ??= cols.length === 3 ? "pfx2as" : cols.length === 5 ? "ip2asn" : undefined;
      let why: string | undefined;
      if (format === undefined) {
        why = `${cols.length} tab-separated columns: expected 3 (pfx2as) or 5 (ip2asn)`;
      } else {
        this.formats.add(format);
        why = format === "pfx2as" ? this.#pfx2as(cols) : this.#ip2asn(cols);
      }
      if (why !== undefined) {
        this.bad.count++;
        if (this.bad.first.length < 20) this.bad.first.push(`${file}:${lineNo}: ${why}`);
      }
    }
  }

  #place(id: number, info: number): void {
    if (id < V6_ID) this.v4Info[id] = info;
    else this.v6Info[id - V6_ID] = info;
  }

  #pfx2as(cols: string[]): string | undefined {
    const [prefix = "", length = "", asn = ""] = cols;
    const text = `${prefix}/${length}`;
    const block = readRange(text, PFX2AS);
    if (typeof block === "string") return `${JSON.stringify(text)}: ${block}`;
    let info = this.#interned.get(asn);
    if (info === undefined) {
      if (!ASNS.test(asn)) return `bad AS number ${JSON.stringify(asn)}`;
      info = this.infos.push({ asns: [...new Set(asn.split(/[_,]/))] }) - 1;
      this.#interned.set(asn, info);
    }
    this.#place(this.set.addRange(block), info);
    return undefined;
  }

  #ip2asn(cols: string[]): string | undefined {
    const [start = "", end = "", asn = "", cc = "", desc = ""] = cols;
    const text = `${start}-${end}`;
    const range = readRange(text, IP2ASN);
    if (typeof range === "string") return `${JSON.stringify(text)}: ${range}`;
    if (!/^\d+$/.test(asn)) return `bad AS number ${JSON.stringify(asn)}`;
    if (asn === "0") return undefined; // "Not routed"
    const key = `${asn}\t${cc}\t${desc}`;
    let info = this.#interned.get(key);
    if (info === undefined) {
      info =
        this.infos.push({
          asns: [asn],
          ...(/^[A-Z]{2}$/.test(cc) ? { cc } : {}),
          ...(desc !== "" && desc !== "Not routed" ? { name: own(desc) } : {}),
        }) - 1;
      this.#interned.set(key, info);
    }
    this.#place(this.set.addRange(range), info);
    return undefined;
  }
}

/**
 * A copy of a piece of a file's text. V8 keeps substrings of 13+ characters as slices that hold
 * the whole text alive: a kept AS name would pin the tens of MB of the file it came from.
 */
function own(piece: string): string {
  return Buffer.from(piece, "utf8").toString("utf8");
}

/**
 * AS names, one per line: `64496 NAME...` or `AS64496 NAME...` (space, tab or `|` after the
 * number). Lines that say nothing usable are counted and skipped.
 */
export async function loadAsNames(
  file: string,
): Promise<{ names: Map<string, string>; bad: number }> {
  const names = new Map<string, string>();
  let bad = 0;
  for (const raw of (await readText(file)).split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:AS)?(\d+)[\s|]+(.*\S)/i.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) names.set(String(Number(m[1])), own(m[2]));
    else bad++;
  }
  if (names.size === 0) throw new Error(`no AS name in ${file}`);
  return { names, bad };
}
