/**
 * Which customer owns an address or an AS: the narrowest claimed network holding the address
 * (longest match), or the customer of the AS number.
 */
import {
  formatRange,
  NOT_AN_IP,
  readRange,
  type Addr,
  type IpRange,
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

type Parsed = { asn: string } | { range: IpRange };

/**
 * A claim's network, AS number, or why it is neither. A CIDR with host bits set is refused, not
 * widened: `192.0.2.10/24` may mean the /24 or 192.0.2.10 alone, and guessing wide would send
 * one customer the reports of its neighbours.
 */
function parseClaim(text: string): Parsed | string {
  const asn = ASN.exec(text);
  if (asn?.[1] !== undefined) {
    const n = Number(asn[1]);
    return n <= 0xffffffff ? { asn: String(n) } : `AS number ${text} out of range`;
  }
  const range = readRange(text);
  if (typeof range !== "string") return { range };
  const why = range === NOT_AN_IP ? "not a network, address or AS number" : range;
  return `${JSON.stringify(text)}: ${why}`;
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
    // The same network however it is written: 192.0.2.0-192.0.2.255 is 192.0.2.0/24.
    const key = "asn" in p ? `AS${p.asn}` : formatRange(p.range, "cidr");
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
      const id = set.addRange(p.range);
      if (id < V6_ID) owners[id] = claim.customer;
      else v6Owners[id - V6_ID] = claim.customer;
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
