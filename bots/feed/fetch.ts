/**
 * HTTP(S) GET of a feed: conditional (ETag / Last-Modified), authenticated from a secret,
 * retried with exponential backoff on network errors, 5xx and 429 (Retry-After honoured,
 * RFC 9110 §10.2.3). Any other 4xx fails at once. The body is handed on as a stream, guarded
 * by an idle timeout, so a 1M-line feed is never held whole.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { hasPlaceholder, SECRET_PLACEHOLDER, type Auth } from "./check.js";

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export interface FetchRequest {
  /** Feed name, for messages. */
  feed: string;
  url: string;
  auth?: Auth;
  secret?: (name: string) => string | undefined;
  /** No response or no body bytes for this long: the attempt fails. */
  timeoutMs: number;
  maxRetries: number;
  signal: AbortSignal;
  validators?: Validators;
  /** First retry delay; doubled each time (default 1 s). */
  retryBaseMs?: number;
  /** A longer Retry-After fails the poll instead (default 10 min): the poll loop backs off. */
  maxRetryAfterMs?: number;
  onRetry?: (why: string, delayMs: number) => void;
}

export type FetchResult =
  | { status: "not-modified" }
  | { status: "ok"; body: AsyncIterable<Uint8Array>; validators: Validators; contentType: string };

export class FeedFetchError extends Error {
  override name = "FeedFetchError";
}

/** The URL as shown in messages and the `feed url` key: user and password removed, and a
 *  secret placeholder shown as written (`{secret}`, which the URL parser encodes). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString().replace(/%7Bsecret%7D/gi, SECRET_PLACEHOLDER);
  } catch {
    return "(bad URL)";
  }
}

interface Prepared {
  url: string;
  headers: Record<string, string>;
  /** The secret sent, to be scrubbed from any message. */
  secret: string | undefined;
}

function describeAuth(auth: Auth): string {
  if ("header" in auth) return `the ${auth.header} header`;
  if ("query" in auth) return `the ${auth.query} query parameter`;
  return `the ${SECRET_PLACEHOLDER} of the URL`;
}

function prepare(req: FetchRequest): Prepared {
  const value = req.auth ? req.secret?.(req.auth.env) : undefined;
  if (req.auth && (value === undefined || value === "")) {
    throw new FeedFetchError(
      `feed ${req.feed}: the secret ${req.auth.env} (for ${describeAuth(req.auth)}) is not set in the environment`,
    );
  }
  let raw = req.url;
  if (req.auth && "url" in req.auth) {
    if (!hasPlaceholder(raw))
      throw new FeedFetchError(
        `feed ${req.feed}: the URL has no ${SECRET_PLACEHOLDER} placeholder`,
      );
    raw = raw.replace(/\{secret\}|%7Bsecret%7D/gi, encodeURIComponent(value ?? ""));
  }
  const u = new URL(raw);
  const headers: Record<string, string> = { "user-agent": "abusemesh-feed/0.1", accept: "*/*" };
  // fetch() refuses URLs with credentials: send them as Basic auth (RFC 7617).
  if (u.username !== "" || u.password !== "") {
    const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    headers["authorization"] = `Basic ${Buffer.from(pair).toString("base64")}`;
    u.username = "";
    u.password = "";
  }
  if (req.auth && value !== undefined) {
    if ("header" in req.auth) {
      headers[req.auth.header.toLowerCase()] = req.auth.scheme
        ? `${req.auth.scheme} ${value}`
        : value;
    } else if ("query" in req.auth) u.searchParams.set(req.auth.query, value);
  }
  if (req.validators?.etag) headers["if-none-match"] = req.validators.etag;
  if (req.validators?.lastModified) headers["if-modified-since"] = req.validators.lastModified;
  return { url: u.toString(), headers, secret: value };
}

/** A message with the secret (as is, and as it appears in a URL) blanked out. */
function scrub(message: string, secret: string | undefined): string {
  if (!secret) return message;
  return message.replaceAll(secret, "***").replaceAll(encodeURIComponent(secret), "***");
}

/** Retry-After as a delay in ms: delta-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Why a fetch threw, in words: undici hides the socket error in `cause`. */
function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as (Error & { code?: string }) | undefined;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ""}`;
  return cause?.message ? `${err.message}: ${cause.message}` : err.message;
}

export async function fetchFeed(req: FetchRequest): Promise<FetchResult> {
  const { url, headers, secret } = prepare(req);
  const where = `feed ${req.feed}: GET ${safeUrl(req.url)}`;
  const base = req.retryBaseMs ?? 1000;
  for (let attempt = 0; ; attempt++) {
    const idle = new AbortController();
    const timer = setTimeout(
      () => idle.abort(new Error(`no response for ${req.timeoutMs} ms`)),
      req.timeoutMs,
    );
    const signal = AbortSignal.any([req.signal, idle.signal]);
    let retry: { why: string; after?: number | undefined };
    try {
      const res = await fetch(url, { headers, signal, redirect: "follow" });
      if (res.status === 304) {
        clearTimeout(timer);
        await res.body?.cancel();
        return { status: "not-modified" };
      }
      if (res.ok && res.body) {
        return {
          status: "ok",
          body: guardBody(res.body, { timer, idle: idle.signal, where, timeoutMs: req.timeoutMs }),
          validators: validatorsOf(res.headers),
          contentType: res.headers.get("content-type") ?? "",
        };
      }
      clearTimeout(timer);
      await res.body?.cancel();
      const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
      if (res.status !== 429 && res.status < 500) throw new FeedFetchError(`${where}: ${status}`);
      retry = { why: status, after: retryAfterMs(res.headers.get("retry-after")) };
    } catch (err) {
      clearTimeout(timer);
      if (err instanceof FeedFetchError || req.signal.aborted) throw err;
      // Network errors may quote the request URL, which can hold the secret.
      const why = idle.signal.aborted ? `no response for ${req.timeoutMs} ms` : reason(err);
      retry = { why: scrub(why, secret) };
    }
    if (attempt >= req.maxRetries) {
      throw new FeedFetchError(
        `${where}: ${retry.why} (after ${attempt + 1} attempt${attempt > 0 ? "s" : ""})`,
      );
    }
    const maxAfter = req.maxRetryAfterMs ?? 600_000;
    if (retry.after !== undefined && retry.after > maxAfter) {
      throw new FeedFetchError(
        `${where}: ${retry.why}, asked to retry after ${Math.round(retry.after / 1000)} s`,
      );
    }
    const delay = retry.after ?? base * 2 ** attempt * (0.8 + 0.4 * Math.random());
    req.onRetry?.(retry.why, delay);
    await sleep(delay, undefined, { signal: req.signal });
  }
}

function validatorsOf(headers: Headers): Validators {
  const v: Validators = {};
  const etag = headers.get("etag");
  const lastModified = headers.get("last-modified");
  if (etag) v.etag = etag;
  if (lastModified) v.lastModified = lastModified;
  return v;
}

/** The body's chunks; the idle timer restarts on each chunk, and a cut body says so. */
interface Guard {
  timer: NodeJS.Timeout;
  idle: AbortSignal;
  where: string;
  timeoutMs: number;
}

async function* guardBody(
  body: ReadableStream<Uint8Array>,
  guard: Guard,
): AsyncIterable<Uint8Array> {
  const { timer, idle, where, timeoutMs } = guard;
  let bytes = 0;
  try {
    for await (const chunk of body) {
      timer.refresh();
      bytes += chunk.length;
      yield chunk;
    }
  } catch (err) {
    const why = idle.aborted ? `no data for ${timeoutMs} ms` : reason(err);
    throw new FeedFetchError(`${where}: the body broke off after ${bytes} bytes: ${why}`);
  } finally {
    clearTimeout(timer);
  }
}
