/**
 * RSS 2.0, RSS 1.0 (RDF) and Atom items through fast-xml-parser. Each item gives the fields
 * title, link, description, pubDate, updated, published, category (several) and guid, Atom
 * names mapped onto RSS ones (summary/content → description, id → guid, category@term).
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { BadRecord, FeedRecord, Fields } from "../record.js";

const MANY = new Set(["item", "entry", "category", "link"]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  removeNSPrefix: true,
  isArray: (name) => MANY.has(name),
});

type Node = Record<string, unknown>;

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim() || undefined;
  if (typeof value === "object" && value !== null) return text((value as Node)["#text"]);
  return undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function atomLink(links: unknown[]): string | undefined {
  const nodes = links.filter((l): l is Node => typeof l === "object" && l !== null);
  const alt = nodes.find((l) => (l["@_rel"] ?? "alternate") === "alternate") ?? nodes[0];
  return typeof alt?.["@_href"] === "string" ? alt["@_href"] : text(links[0]);
}

/** The fields of one RSS item or Atom entry. */
export function itemFields(item: Node): Fields {
  const fields: Fields = {};
  const put = (name: string, value: string | undefined) => {
    if (value !== undefined) fields[name] = value;
  };
  put("title", text(item["title"]));
  put("link", atomLink(list(item["link"])));
  put("description", text(item["description"]) ?? text(item["summary"]) ?? text(item["content"]));
  put("pubDate", text(item["pubDate"]) ?? text(item["date"]));
  put("updated", text(item["updated"]));
  put("published", text(item["published"]));
  put("guid", text(item["guid"]) ?? text(item["id"]));
  const categories = list(item["category"])
    .map((c) =>
      typeof c === "object" && c !== null && "@_term" in c ? text((c as Node)["@_term"]) : text(c),
    )
    .filter((c): c is string => c !== undefined);
  if (categories.length > 0) fields["category"] = categories;
  return fields;
}

/** Items of an RSS or Atom document, numbered from 1; throws on a broken document. */
export function rssRecords(xml: string, bad: BadRecord): FeedRecord[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line } = valid.err;
    throw new Error(`the body is not well-formed XML: ${msg} (line ${line})`);
  }
  const doc = parser.parse(xml) as Node;
  const root = (doc["rss"] as Node | undefined)?.["channel"] ?? doc["RDF"] ?? doc["feed"];
  if (typeof root !== "object" || root === null) {
    throw new Error("no RSS channel, RDF or Atom feed element in the document");
  }
  // RSS 1.0 puts items beside the channel (under RDF), RSS 2.0 inside it, Atom under feed.
  const items = [...list((root as Node)["item"]), ...list((root as Node)["entry"])];
  const out: FeedRecord[] = [];
  items.forEach((item, i) => {
    if (typeof item === "object" && item !== null)
      out.push({ line: i + 1, fields: itemFields(item as Node) });
    else bad(i + 1, `item ${i + 1} is empty`);
  });
  return out;
}
