import { compareCodePoints, type Event } from "../../sdk/event.js";

/** The XML namespace of AbuseHelper events, both forms (abusehelper/core/events.py EVENT_NS). */
export const EVENT_NS = "abusehelper#event";

/** Keys in code point order, so encoded output is the same whatever the insertion order. */
export function sortedKeys(event: Event): string[] {
  return event.keys().sort(compareCodePoints);
}

/** Values of a key in code point order; a single value is iterated as is, with no copy. */
export function sortedValues(values: ReadonlySet<string> | undefined): Iterable<string> {
  if (values === undefined) return [];
  return values.size === 1 ? values : [...values].sort(compareCodePoints);
}
