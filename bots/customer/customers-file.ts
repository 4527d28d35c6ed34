/**
 * The customers file: who owns which networks and AS numbers, and how they want reports.
 * YAML (`.yaml`/`.yml`):
 *
 *   customers:
 *     - id: a
 *       name: Customer A
 *       abuse_email: abuse@a.example
 *       report: daily            # daily | immediate | none
 *       format: csv
 *       networks: [192.0.2.0/25, 198.51.100.10-198.51.100.20, 2001:db8:a::/48]
 *       asns: [AS64496]
 *
 * CSV (`.csv`): a header `id,name,abuse_email,report,format,network` and one row per network or
 * AS number (`network` holds a CIDR, `first-last`, one address, or `AS64496`).
 * A bad entry is reported as `file:line: ...` and skipped; the rest of the file is used.
 */
import { parse as parseCsv } from "csv-parse/sync";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";

export interface Customer {
  id: string;
  name?: string;
  abuseEmail?: string;
  report?: string;
  format?: string;
}

/** One network or AS of a customer, as written, with its line. */
export interface Claim {
  customer: Customer;
  text: string;
  line: number;
}

export interface CustomersFile {
  customers: Customer[];
  claims: Claim[];
  /** `file:line: why`, in file order. */
  problems: string[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const REPORTS = ["daily", "immediate", "none"];
const FIELDS = ["id", "name", "abuse_email", "report", "format"];

/** A YAML scalar as text (numbers too: `id: 42`); undefined for null, lists and mappings. */
function scalarText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return undefined;
}

/** Check the customer fields; returns why they are bad, or the customer. */
function customerOf(raw: Record<string, unknown>): Customer | string {
  const text = (k: string) => {
    const v = scalarText(raw[k])?.trim();
    return v === "" ? undefined : v;
  };
  const id = text("id");
  if (id === undefined) return "a customer needs an id";
  if (!ID.test(id)) return `customer id ${JSON.stringify(id)}: letters, digits, . _ - only`;
  const email = text("abuse_email");
  if (email !== undefined && !EMAIL.test(email)) {
    return `customer ${id}: abuse_email ${JSON.stringify(email)} is not an email address`;
  }
  const report = text("report");
  if (report !== undefined && !REPORTS.includes(report)) {
    return `customer ${id}: report must be one of ${REPORTS.join(", ")}, got ${JSON.stringify(report)}`;
  }
  const name = text("name");
  const format = text("format");
  return {
    id,
    ...(name !== undefined ? { name } : {}),
    ...(email !== undefined ? { abuseEmail: email } : {}),
    ...(report !== undefined ? { report } : {}),
    ...(format !== undefined ? { format } : {}),
  };
}

/** Read a customers file's text; `file` names it in problems and picks the format. */
export function parseCustomers(file: string, text: string): CustomersFile {
  return /\.csv$/i.test(file) ? fromCsv(file, text) : fromYaml(file, text);
}

function fromYaml(file: string, text: string): CustomersFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const at = (node: Node | null | undefined) => lines.linePos(node?.range?.[0] ?? 0).line;
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const what = err?.message.split("\n")[0] ?? "bad YAML"; // the rest quotes the line
    throw new Error(`${file}:${err?.linePos?.[0].line ?? 1}: ${what}`);
  }
  const root = doc.contents;
  const list = isMap(root) ? root.get("customers", true) : root;
  if (!isSeq(list)) throw new Error(`${file}: expected a list under \`customers:\``);
  const out: CustomersFile = { customers: [], claims: [], problems: [] };
  for (const item of list.items) {
    const line = at(item);
    if (!isMap(item)) {
      out.problems.push(`${file}:${line}: expected a customer (a mapping), got ${String(item)}`);
      continue;
    }
    const raw = item.toJSON() as Record<string, unknown>;
    const unknown = Object.keys(raw).filter(
      (k) => !FIELDS.includes(k) && k !== "networks" && k !== "asns",
    );
    if (unknown.length > 0) {
      out.problems.push(
        `${file}:${line}: unknown field(s) ${unknown.join(", ")} (known: ${[...FIELDS, "networks", "asns"].join(", ")})`,
      );
    }
    const customer = customerOf(raw);
    if (typeof customer === "string") {
      out.problems.push(`${file}:${line}: ${customer}; skipped`);
      continue;
    }
    out.customers.push(customer);
    for (const field of ["networks", "asns"]) {
      const node = item.get(field, true);
      if (node === undefined) continue;
      const entries = isSeq(node) ? node.items : [node];
      for (const entry of entries) {
        const text = isScalar(entry) ? scalarText(entry.value) : undefined;
        if (text !== undefined) {
          out.claims.push({ customer, text, line: at(entry as Node) });
        } else {
          out.problems.push(
            `${file}:${at(entry as Node)}: customer ${customer.id}: ${field}: expected a list of values`,
          );
        }
      }
    }
  }
  return out;
}

function fromCsv(file: string, text: string): CustomersFile {
  const out: CustomersFile = { customers: [], claims: [], problems: [] };
  const rows = parseCsv(text, {
    info: true,
    comment: "#",
    skip_empty_lines: true,
    trim: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      // csv-parse may report one bad record more than once: keep the first.
      const where = `${file}:${Number(err?.lines)}: `;
      if (err && !out.problems.some((p) => p.startsWith(where))) {
        out.problems.push(`${where}${err.message}; skipped`);
      }
    },
  }) as unknown as { record: string[]; info: { lines: number } }[];
  const [head, ...body] = rows;
  const header = head?.record.map((h) => h.toLowerCase()) ?? [];
  if (!header.includes("id") || !header.includes("network")) {
    throw new Error(
      `${file}:${head?.info.lines ?? 1}: expected a header with id and network (and name, abuse_email, report, format)`,
    );
  }
  const byId = new Map<string, Customer>();
  for (const { record, info } of body) {
    const raw = Object.fromEntries(header.map((h, i) => [h, record[i] ?? ""]));
    const customer = customerOf(raw);
    if (typeof customer === "string") {
      out.problems.push(`${file}:${info.lines}: ${customer}; skipped`);
      continue;
    }
    const known = byId.get(customer.id);
    if (known === undefined) {
      byId.set(customer.id, customer);
      out.customers.push(customer);
    } else if (JSON.stringify(known) !== JSON.stringify({ ...known, ...customer })) {
      out.problems.push(
        `${file}:${info.lines}: customer ${customer.id}: details differ from its first row; the first row's are used`,
      );
    }
    const network = raw["network"] ?? "";
    if (network === "")
      out.problems.push(`${file}:${info.lines}: customer ${customer.id}: no network`);
    else out.claims.push({ customer: known ?? customer, text: network, line: info.lines });
  }
  return out;
}
