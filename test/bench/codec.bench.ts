/**
 * Wire codec throughput: encode + serialize + parse + decode 100k events, legacy one event per
 * message (with its body) vs compact batched under a 64 KiB budget, beside a trivial baseline
 * in the same process (JSON.stringify + JSON.parse of the same events).
 * Run: npx tsx test/bench/codec.bench.ts
 */
import parse from "@xmpp/xml/lib/parse.js";
import { Event } from "../../core/sdk/event.js";
import { decodeMessage, encodeMessage, packEvents } from "../../core/host/wire/index.js";
import { seededRandom } from "../../core/host/wire/random-events.js";
import { measure, report } from "./measure.js";

const N = 100_000;
const ROOM = "raw@rooms.example.org";

function makeEvents(n: number): Event[] {
  const rnd = seededRandom(7);
  const types = ["scanner", "phishing", "botnet drone", "spam"];
  return Array.from({ length: n }, (_, i) => {
    const ev = new Event({
      ip: `192.0.2.${i % 256}`,
      asn: String(64496 + (i % 16)),
      type: types[Math.floor(rnd() * types.length)] ?? "scanner",
      feed: "dshield",
      "source time": "2026-11-21 12:00:00Z",
    });
    if (i % 3 === 0) ev.add("description", `port scan of ${1 + (i % 1000)} hosts, "fast"`);
    return ev;
  });
}

const events = makeEvents(N);
let check = 0;

const baseline = measure("baseline: JSON.stringify + JSON.parse", N, () => {
  for (const ev of events)
    check += Object.keys(JSON.parse(JSON.stringify(ev.toJSON())) as object).length;
});

const legacy = measure("legacy: 1 event/message + body", N, () => {
  for (const ev of events) {
    const wire = encodeMessage(ROOM, [ev], { form: "legacy" }).toString();
    check += decodeMessage(parse(wire)).length;
  }
});

let messages = 0;
const compact = measure("compact: batched, 64 KiB budget", N, () => {
  const packed = packEvents(events, { budgetBytes: 64 * 1024, to: ROOM });
  messages = packed.messages.length;
  for (const msg of packed.messages) check += decodeMessage(parse(msg.toString())).length;
});

const encodeOnly = measure("compact: encode + pack only", N, () => {
  const packed = packEvents(events, { budgetBytes: 64 * 1024, to: ROOM });
  for (const msg of packed.messages) check += msg.toString().length;
});

report(`Wire codec, ${N / 1000}k events, encode+serialize+parse+decode`, "events", baseline, [
  legacy,
  compact,
  encodeOnly,
]);
console.log(`  (compact packed ${N} events into ${messages} messages; checksum ${check % 7})`);
