import { Event } from "../../sdk/event.js";

// Test support: deterministic pseudo-random events, so a failing property test can be replayed.

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Documentation addresses and names, plus characters that stress each layer: XML specials,
// quoting specials of the body, non-ASCII, astral, and the empty string.
const PIECES = [
  "192.0.2.1",
  "2001:db8::1",
  "AS64496",
  "example.com",
  "scanner",
  "",
  " ",
  'a "quoted" b',
  "<&>",
  "x=y, z",
  "back\\slash",
  "line\nbreak\ttab",
  "åäö",
  "日本",
  "😀",
  "\u{1F4A9}x",
];

/** A random event of 0..maxKeys keys with 1..3 values each, built from fixed pieces. */
export function randomEvent(random: () => number, maxKeys = 6): Event {
  const pick = (): string => PIECES[Math.floor(random() * PIECES.length)] ?? "";
  const piece = (): string => pick() + (random() < 0.5 ? "" : pick());
  const event = new Event();
  const keys = Math.floor(random() * (maxKeys + 1));
  for (let k = 0; k < keys; k++) {
    const key = piece();
    const values = 1 + Math.floor(random() * 3);
    for (let v = 0; v < values; v++) event.add(key, piece());
  }
  return event;
}
