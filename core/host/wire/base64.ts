import type { CodecStats } from "./stats.js";
import { hasSurrogates, replaceLoneSurrogates } from "./xml-chars.js";

// One scratch buffer for encoding: Buffer.from() per value costs an allocation each, and the
// compact form base64-encodes every key and value of every event on the hot path.
const SCRATCH = Buffer.allocUnsafe(64 * 1024);

/** base64(utf8(text)), lone surrogates replaced by U+FFFD first (and counted). */
export function utf8Base64(text: string, stats?: CodecStats): string {
  const safe = replaceLoneSurrogates(text, stats);
  // Each UTF-16 code unit becomes at most 3 UTF-8 bytes.
  if (safe.length * 3 > SCRATCH.length) return Buffer.from(safe, "utf8").toString("base64");
  const length = SCRATCH.write(safe, 0, "utf8");
  return SCRATCH.toString("base64", 0, length);
}

// Keys come from a small vocabulary; caching their base64 saves a third of the encoding work.
const KEY_CACHE = new Map<string, string>();
const KEY_CACHE_LIMIT = 4096;

/**
 * Like utf8Base64, memoised for keys. Keys with surrogates are never cached, so a key that needs
 * repair is counted every time it is encoded.
 */
export function keyBase64(key: string, stats?: CodecStats): string {
  const cached = KEY_CACHE.get(key);
  if (cached !== undefined) return cached;
  const encoded = utf8Base64(key, stats);
  if (hasSurrogates(key)) return encoded;
  if (KEY_CACHE.size >= KEY_CACHE_LIMIT) KEY_CACHE.clear();
  KEY_CACHE.set(key, encoded);
  return encoded;
}

/**
 * RFC 4648 §4 base64 with padding (the length is checked apart: a multiple of 4); anything else
 * is not what AbuseHelper sends. Node's own decoder would skip stray characters silently.
 */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const XML_SPACE = /[\t\n\r ]+/g;

function isBase64(text: string): boolean {
  return text.length % 4 === 0 && BASE64.test(text);
}

// ignoreBOM keeps a leading U+FEFF as text, as Python's "utf-8" codec does.
const FATAL_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decode base64 carrying UTF-8 text. Returns undefined when either layer is invalid: the caller
 * skips that key or value and counts it. Whitespace (line-wrapped base64) is tolerated, as
 * Python's b64decode used by AbuseHelper tolerates it.
 */
export function decodeBase64Utf8(encoded: string): string | undefined {
  let clean = encoded;
  if (!isBase64(clean)) {
    clean = encoded.replace(XML_SPACE, "");
    if (clean === encoded || !isBase64(clean)) return undefined;
  }
  const bytes =
    clean.length > SCRATCH.length
      ? Buffer.from(clean, "base64")
      : SCRATCH.subarray(0, SCRATCH.write(clean, 0, "base64"));
  const text = bytes.toString("utf8");
  // Buffer decoding substitutes U+FFFD for bad sequences; only then pay for the strict decoder,
  // which tells a real U+FFFD in the data from a substituted one.
  if (!text.includes("\uFFFD")) return text;
  try {
    return FATAL_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

const DECODED_KEYS = new Map<string, string>();

/** Like decodeBase64Utf8, memoised for keys, which come from a small vocabulary. */
export function decodeKeyBase64(encoded: string): string | undefined {
  const cached = DECODED_KEYS.get(encoded);
  if (cached !== undefined) return cached;
  const key = decodeBase64Utf8(encoded);
  if (key === undefined || encoded.length > 256) return key;
  if (DECODED_KEYS.size >= KEY_CACHE_LIMIT) DECODED_KEYS.clear();
  DECODED_KEYS.set(encoded, key);
  return key;
}
