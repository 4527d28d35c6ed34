/**
 * Rule matching throughput: a realistic 20-rule set (a CERT's routing rules) over 100k events,
 * beside a trivial baseline in the same process (one key lookup per rule per event).
 * Run: npx tsx test/bench/rules.bench.ts
 */
import { Event } from "../../core/sdk/event.js";
import { parseRule } from "../../core/sdk/rules/index.js";
import { seededRandom } from "../../core/host/wire/random-events.js";
import { measure, report } from "./measure.js";

const RULES = [
  "asn = 64496",
  "asn = 64496 and type = scanner",
  "type = phishing or type = malware",
  "ip in 192.0.2.0/24",
  "ip in 198.51.100.0/24 and port = 22",
  "ip in 2001:db8::/32",
  '"domain name" in example.com',
  '"domain name" in *.example.net',
  "cc = FI and (type = spam or type = scanner)",
  "no asn = 64511",
  "feed = dshield and type != scanner",
  '"malware family" = /^(mirai|emotet)$/i',
  "url = /login|verify/i",
  "asn = /^6449[6-9]$/",
  "port = 23 or port = 2323",
  "ip in 203.0.113.0/25 or ip in 203.0.113.128/25",
  'type = "botnet drone" and no cc = FI',
  "description = /brute/",
  "feed = sample and asn = 64501",
  "scanner",
];

const TYPES = ["scanner", "phishing", "malware", "spam", "botnet drone", "c&c"];
const FEEDS = ["dshield", "sample", "abuse.ch", "spamhaus"];

function makeEvents(n: number): Event[] {
  const rnd = seededRandom(42);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const events: Event[] = [];
  for (let i = 0; i < n; i++) {
    const ev = new Event();
    const v6 = rnd() < 0.2;
    ev.add(
      "ip",
      v6
        ? `2001:db8::${(i % 65535).toString(16)}`
        : `${pick(["192.0.2", "198.51.100", "203.0.113"])}.${i % 256}`,
    );
    ev.add("asn", String(64496 + Math.floor(rnd() * 16)));
    ev.add("type", pick(TYPES));
    ev.add("feed", pick(FEEDS));
    ev.add("cc", pick(["FI", "SE", "NL", "US"]));
    if (rnd() < 0.3) ev.add("port", pick(["22", "23", "2323", "3389", "445"]));
    if (rnd() < 0.3)
      ev.add("domain name", `host${i % 50}.${pick(["example.com", "example.net", "example.org"])}`);
    if (rnd() < 0.1) ev.add("url", `http://host.example.com/${pick(["login", "index", "verify"])}`);
    if (rnd() < 0.1) ev.add("malware family", pick(["Mirai", "emotet", "qakbot"]));
    if (rnd() < 0.1) ev.add("description", pick(["ssh brute force", "port scan"]));
    events.push(ev);
  }
  return events;
}

const N = 100_000;
const events = makeEvents(N);
const rules = RULES.map((text) => parseRule(text));
const keys = [
  "asn",
  "type",
  "ip",
  "port",
  "domain name",
  "cc",
  "feed",
  "malware family",
  "url",
  "description",
];
let sink = 0;

const baseline = measure("baseline: 20 key lookups/event", N * RULES.length, () => {
  for (const ev of events)
    for (let r = 0; r < RULES.length; r++) if (ev.contains(keys[r % keys.length])) sink++;
});
const all = measure("20 rules/event (matches/s)", N * RULES.length, () => {
  for (const ev of events) for (const rule of rules) if (rule.match(ev)) sink++;
});
const perRule = RULES.map((text, i) =>
  measure(`  ${text}`, N, () => {
    const rule = rules[i];
    if (rule) for (const ev of events) if (rule.match(ev)) sink++;
  }),
);
report(`Rule matching over ${N / 1000}k events (${RULES.length} rules)`, "matches", baseline, [
  all,
  ...perRule,
]);
console.log(
  `  (events through the whole set: ${((N / all.ms) * 1000).toFixed(0)}/s; checksum ${sink % 7})`,
);
