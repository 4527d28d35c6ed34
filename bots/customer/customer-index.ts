/**
 * Which customer owns an address or an AS: the narrowest claimed network holding the address
 * (longest match), or the customer of the AS number.
 */
import {
  formatAddr,
  parseAddr,
  type Addr,
  RangeSet,
  V6_ID,
  type RangeIndex,
} from "../../core/index.js";
import type { Claim, Customer, CustomersFile } from "./customers-file.js";

export interface CustomerIndex {
  byAddr(a: Addr): Customer | undefined;
  byAsn(asn: string): Customer | undefined;
  customers: number;
  networks: number;
  asns: number;
}

const ASN = /^(?:AS)?(\d{1,10})$/i;

/** The same network however it is written: `192.0.2.1/24` is `192.0.2.0/24`. */
function keyOf(p: Parsed): string {
  if ("asn" in p) return `AS${p.asn}`;
  if ("first" in p) return `${formatAddr(p.first)}-${formatAddr(p.last)}`;
  const { cidr: a, bits } = p;
  if (a.v === 4) {
    const size = 2 ** (32 - bits);
    return `${formatAddr({ v: 4, n: Math.floor(a.n / size) * size })}/${bits}`;
  }
  const w = a.w.map((word, i) => {
    const keep = Math.min(32, Math.max(0, bits - 32 * i));
    return keep === 0 ? 0 : keep === 32 ? word : (word >>> (32 - keep)) * 2 ** (32 - keep);
  });
  return `${formatAddr({ v: 6, w })}/${bits}`;
}

type Parsed = { asn: string } | { first: Addr; last: Addr } | { cidr: Addr; bits: number };

/** A claim's network, AS number, or why it is neither. */
function parseClaim(text: string): Parsed | string {
  const asn = ASN.exec(text);
  if (asn?.[1] !== undefined) {
    const n = Number(asn[1]);
    return n <= 0xffffffff ? { asn: String(n) } : `AS number ${text} out of range`;
  }
  const dash = text.indexOf("-");
  if (dash >= 0) {
    const first = parseAddr(text.slice(0, dash).trim());
    const last = parseAddr(text.slice(dash + 1).trim());
    if (!first || !last || first.v !== last.v)
      return `not an address range: ${JSON.stringify(text)}`;
    return { first, last };
  }
  const slash = text.indexOf("/");
  const base = parseAddr(slash < 0 ? text : text.slice(0, slash));
  if (!base) return `not a network, address or AS number: ${JSON.stringify(text)}`;
  const bits = slash < 0 ? (base.v === 4 ? 32 : 128) : Number(text.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > (base.v === 4 ? 32 : 128)) {
    return `bad prefix length in ${JSON.stringify(text)}`;
  }
  return { cidr: base, bits };
}

/** Index the claims of a customers file; claims that cannot be used are added to problems. */
export function indexCustomers(file: string, parsed: CustomersFile): CustomerIndex {
  const set = new RangeSet();
  const owners: Customer[] = [];
  const v6Owners: Customer[] = [];
  const asns = new Map<string, Customer>();
  const seen = new Map<string, Claim>(); // network or AS as text -> first claim
  for (const claim of parsed.claims) {
    const where = `${file}:${claim.line}: customer ${claim.customer.id}`;
    const p = parseClaim(claim.text.trim());
    if (typeof p === "string") {
      parsed.problems.push(`${where}: ${p}; skipped`);
      continue;
    }
    const key = keyOf(p);
    const earlier = seen.get(key);
    if (earlier) {
      if (earlier.customer.id !== claim.customer.id) {
        const whose = `customer ${earlier.customer.id}'s (line ${earlier.line})`;
        parsed.problems.push(`${where}: ${claim.text} is already ${whose}; skipped`);
      }
      continue;
    }
    if ("asn" in p) {
      asns.set(p.asn, claim.customer);
    } else {
      try {
        const id = "cidr" in p ? set.addCidr(p.cidr, p.bits) : set.add(p.first, p.last);
        if (id < V6_ID) owners[id] = claim.customer;
        else v6Owners[id - V6_ID] = claim.customer;
      } catch (err) {
        parsed.problems.push(`${where}: ${claim.text}: ${(err as Error).message}; skipped`);
        continue;
      }
    }
    seen.set(key, claim);
  }
  // In file order, as the user reads them.
  const lineOf = (problem: string) => Number(/:(\d+): /.exec(problem)?.[1] ?? 0);
  parsed.problems.sort((x, y) => lineOf(x) - lineOf(y));
  const index: RangeIndex = set.build();
  return {
    byAddr(a) {
      const id = index.find(a);
      return id < 0 ? undefined : id < V6_ID ? owners[id] : v6Owners[id - V6_ID];
    },
    byAsn: (asn) => asns.get(asn.replace(/^AS/i, "")),
    customers: parsed.customers.length,
    networks: set.size,
    asns: asns.size,
  };
}
