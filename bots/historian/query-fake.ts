// An in-memory QueryBackend for tests: the Mango subset mango.ts produces, evaluated the way
// CouchDB does, over documents shaped like store.ts's (flat fields as arrays).
import { Event, type EventInit } from "../../core/index.js";
import type { Selector } from "./mango.js";
import type { QueryBackend, StoredEvent } from "./query.js";

const FLAT = ["ip", "asn", "cc", "type", "feed", "domain name", "url"];

type Doc = Record<string, unknown> & StoredEvent;

/** A stored event from an event and its `time` (also the event's `time` key). */
export function storedEvent(init: EventInit, time: string, room = "raw@rooms.test"): Doc {
  const event = new Event(init);
  const doc: Doc = { id: event.id(), event: event.toJSON(), room, seen: time, time };
  for (const key of FLAT) if (event.contains(key)) doc[key] = event.values(key).sort();
  return doc;
}

export class FakeBackend implements QueryBackend {
  readonly shape = "array" as const;
  readonly selectors: Selector[] = [];
  readonly #docs: Doc[];

  constructor(docs: Doc[]) {
    this.#docs = [...docs].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  }

  find(selector: Selector, opts: { limit: number; cursor?: unknown }) {
    this.selectors.push(selector);
    const all = this.#docs.filter((d) => matches(d, selector));
    const from = typeof opts.cursor === "number" ? opts.cursor : 0;
    const docs = all.slice(from, from + opts.limit);
    const next = from + opts.limit < all.length ? from + opts.limit : undefined;
    return Promise.resolve({ docs, ...(next === undefined ? {} : { next }) });
  }
}

function matches(doc: Record<string, unknown>, sel: Selector): boolean {
  return Object.entries(sel).every(([k, cond]) => {
    if (k === "$and") return (cond as Selector[]).every((s) => matches(doc, s));
    if (k === "$or") return (cond as Selector[]).some((s) => matches(doc, s));
    return test(doc[k], cond);
  });
}

function test(value: unknown, cond: unknown): boolean {
  if (typeof cond !== "object" || cond === null) return value === cond;
  return Object.entries(cond).every(([op, arg]) => {
    switch (op) {
      case "$eq":
        return value === arg;
      case "$gt":
        return typeof value === "string" && value > (arg as string);
      case "$gte":
        return typeof value === "string" && value >= (arg as string);
      case "$lt":
        return typeof value === "string" && value < (arg as string);
      case "$lte":
        return typeof value === "string" && value <= (arg as string);
      case "$exists":
        return (value !== undefined) === arg;
      case "$elemMatch":
        return Array.isArray(value) && value.some((v) => test(v, arg));
      default:
        throw new Error(`fake backend: unsupported ${op}`);
    }
  });
}
