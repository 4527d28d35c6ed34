import {
  beginRead,
  defineBot,
  param,
  ParamError,
  parseDuration,
  problemsOf,
  type BotContext,
  type Event,
  type ParamValues,
} from "../../core/index.js";
import { authTrouble, checkAuth, type Auth } from "./check.js";
import { decompress } from "./decode.js";
import { fetchFeed, safeUrl } from "./fetch.js";
import { unitOf } from "./formats/index.js";
import { readEvents } from "./pipeline.js";
import { PRESETS } from "./presets/index.js";
import { ReadReport } from "./report.js";
import { IdSet } from "./seen.js";
import { intervalOf, resolveSource, sourceMapper, sourceParams, type Source } from "./spec.js";
import { loadPrevious, saveRead, loadValidators, saveValidators, specKey } from "./state.js";
import { decodeText } from "./text.js";

function checkHttpUrl(raw: unknown): string {
  const text = typeof raw === "string" ? raw : "";
  try {
    const url = new URL(text);
    if (url.protocol === "http:" || url.protocol === "https:") return url.toString();
  } catch {
    // reported below
  }
  throw new ParamError(`expected an http(s) URL, got ${JSON.stringify(raw)}`);
}

const params = {
  ...sourceParams,
  url: param.any<string | null>({
    help: "Where the feed is fetched (http/https; user:password@ becomes Basic auth); default: the preset's",
    default: null,
    check: checkHttpUrl,
  }),
  interval: param.any<number | null>({
    help: "Time between polls (e.g. 30m); default: the preset's, else 1h",
    default: null,
    check: parseDuration,
  }),
  timeout: param.duration({
    help: "Give up an attempt after this long without response or body bytes",
    default: 60_000,
  }),
  max_retries: param.int({
    help: "Retries of one fetch on network errors, 5xx and 429 (exponential backoff)",
    default: 3,
    min: 0,
  }),
  auth: param.any<Auth | null>({
    help: "Credentials from the environment: { header, env, scheme }, { query, env } or { url: true, env } (fills {secret} in the url); default: the preset's, unless url points elsewhere",
    default: null,
    check: checkAuth,
  }),
};

type Ctx = BotContext<typeof params>;

interface Resolved extends Source {
  url: string;
  auth: Auth | undefined;
  /** Why the preset's auth was left out (the url points elsewhere), for a warning. */
  authDropped?: string;
}

const originOf = (url: string): string => new URL(url).origin;

/**
 * The url and auth in force. A preset's secret goes only to the preset's own origin: with the
 * url overridden to another host (a mirror) or to plain http, the preset's auth is dropped
 * with a warning, since a mirror rarely wants the provider's key; an `auth` param sends one.
 */
function resolve(p: ParamValues<typeof params>, id: string): Resolved {
  const source = resolveSource("feed", p, { name: "url", given: p.url !== null }, id);
  const preset = source.preset;
  const url = p.url ?? preset?.url ?? "";
  let auth = p.auth ?? preset?.auth;
  let authDropped: string | undefined;
  if (p.auth === null && preset?.auth && originOf(url) !== originOf(preset.url)) {
    authDropped = `feed ${source.name}: url points at ${originOf(url)}, not the preset's ${originOf(preset.url)}: the preset's secret ${preset.auth.env} is not sent there (give auth in params to send one)`;
    auth = undefined;
  }
  const trouble = authTrouble(url, auth);
  if (trouble) throw new ParamError(`feed ${source.name}: ${trouble}`);
  return { ...source, url, auth, ...(authDropped ? { authDropped } : {}) };
}

async function* pollFeed(ctx: Ctx, feed: Resolved): AsyncIterable<Event> {
  const { compression, member } = feed.preset ?? {};
  const key = specKey([feed.url, feed.format, feed.map, compression, member]);
  const shown = safeUrl(feed.url);
  const fail = (err: unknown, line?: number): Error => {
    const msg = err instanceof Error ? err.message : String(err);
    const text = msg.startsWith("feed ") ? msg : `feed ${feed.name}: ${shown}: ${msg}`;
    // Wrap only to add something: a logged cause repeats its message (pino's err serializer).
    const out =
      err instanceof Error && text === msg && !line
        ? err
        : new Error(line ? `${text} (last ${unitOf(feed.format)} read: ${line})` : text, {
            cause: err,
          });
    // Logged once, by the runtime that retries the poll (one line, with the next try).
    return out;
  };
  const validators = await loadValidators(ctx.stateDir, key);
  let res;
  try {
    res = await fetchFeed({
      feed: feed.name,
      url: feed.url,
      ...(feed.auth ? { auth: feed.auth } : {}),
      secret: (name) => ctx.secret(name),
      timeoutMs: ctx.params.timeout,
      maxRetries: ctx.params.max_retries,
      signal: ctx.signal,
      ...(validators ? { validators } : {}),
      onRetry: (why, ms) => {
        ctx.count("retries");
        // Retries within one poll are detail; the poll's outcome is the line that matters.
        ctx.log.debug(
          { feed: feed.name, delay: Math.round(ms) },
          `feed ${feed.name}: ${why}; retrying`,
        );
      },
    });
  } catch (err) {
    throw fail(err);
  }
  if (res.status === "not-modified") {
    ctx.count("not modified");
    ctx.log.info({ feed: feed.name }, "not modified since the last poll");
    return;
  }
  const previous = await loadPrevious(ctx.stateDir, ctx.log, feed.name);
  const next = new IdSet(previous.size);
  const report = new ReadReport(feed.name, unitOf(feed.format), ctx);
  const observed = await beginRead(ctx.state);
  try {
    const body = await decompress(res.body, {
      compression: compression ?? "auto",
      ...(member ? { member } : {}),
    });
    yield* readEvents(decodeText(body.body), {
      format: feed.format,
      mapper: sourceMapper(feed, shown),
      report,
      dropOlderThan: ctx.params.drop_older_than,
      dedup: { previous, next },
      observed: observed.time,
      count: (name, n) => ctx.count(name, n),
    });
    report.finish();
    await saveRead(ctx.stateDir, next, [report]);
    await observed.done();
  } catch (err) {
    throw fail(err, report.lastLine);
  }
  // Only now: a 304 must never hide rows a failed read did not get to.
  await saveValidators(ctx.stateDir, key, res.validators);
  ctx.log.info(
    { feed: feed.name, records: report.records, bad: report.bad, ids: next.size },
    "feed read",
  );
}

export const feed = defineBot({
  name: "feed",
  kind: "source",
  description:
    "Polls a feed over HTTP(S) — a preset or url + format + map — and emits an event for each record that is new since the last poll.",
  params,
  interval: (p) => intervalOf(p.interval, p.preset === null ? undefined : PRESETS[p.preset]),
  secrets: (p) => {
    const env = (p.auth ?? (p.preset === null ? undefined : PRESETS[p.preset]?.auth))?.env;
    return env === undefined ? [] : [env];
  },
  check: (p) => problemsOf(() => sourceMapper(resolve(p, "feed"))),
  start(ctx) {
    const f = resolve(ctx.params, ctx.id);
    sourceMapper(f); // a bad time pattern or regex fails here, not on the first poll
    if (f.authDropped) ctx.warn(f.authDropped);
    ctx.log.debug({ feed: f.name, url: safeUrl(f.url), format: f.format.type }, "feed ready");
    return { poll: () => pollFeed(ctx, f) };
  },
});
